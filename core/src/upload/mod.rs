//! Uploads (the API, issue 5): the session is pure logic that says what to send next and what
//! a reply means; [`driver`] is the loop that runs it, over the host's I/O (`UploadIo`: fetch/XHR
//! with Blob slices or file ranges in the wasm layer, a simulated S3 in the tests).
//!
//! - [`sigv4`]: S3 request signing; [`s3xml`]: S3's XML answers and errors.
//! - [`plan`]: part sizes and byte ranges (lane files as one object, without copying).
//! - [`checksum`]: CRC32C / MD5 per part, fed in ≤ 1 MiB chunks.
//! - [`files`]: file rules and R1/R2/lane grouping; [`retry`]: which failures retry, and when.
//! - [`init`]: the API requests that start an upload; [`prepare`]: every check before it;
//!   [`state`]: the saved, resumable record; [`session`]: the state machine that drives it.
//!
//! [`driver`] runs one upload like this over an `UploadIo` (the host: files, S3 requests, timers);
//! every session call is pure and cheap:
//!
//! ```text
//! prepared = session::prepare(kind, files, options)?          // all file rules, no request yet
//! send init::init_request(&prepared, &params)?  → InitResponse::from_json(answer)?
//! s = Session::start(prepared, init)?                         // or Session::resume(state, …)?
//! loop match s.next_step():
//!   ListParts        → send s.list_parts_request(now, None)?,  s.on_list_parts(&reply)?
//!   CreateMultipart  → send s.create_multipart_request(now)?,  s.on_create_multipart(&reply)?
//!   UploadParts      → while in flight < concurrency:
//!                        job = s.next_part(now) (streams: s.stream_part(len, last)?)
//!                        checksum job.slices in ≤ 1 MiB chunks (checksum::PartHasher)
//!                        send s.part_request(job.number, &sum, now)?  (body = job.slices)
//!                      on each answer: s.on_part(n, &sum, &reply, now)?
//!                      nothing startable: sleep until s.next_wake_ms()
//!   Complete         → send s.complete_request(now)?,  s.on_complete(&reply)?
//!   Callback         → send s.callback_request()? (API key added),  s.on_callback(&reply)?
//!   Done             → GET the new object by s.state().result_id
//! Outcome::Retry{delay_ms} means: wait, then ask for the same request again (fresh signature).
//! An Err keeps the state resumable; save s.state_json() after every part (it holds the upload
//! credentials: sensitive). Cancel: s.abort_requests(now)? + s.on_abort, then
//! s.cancel_request() + session::on_cancel.
//! ```

mod ascii;
pub mod checksum;
pub mod driver;
pub mod encode;
pub mod files;
pub mod init;
pub mod plan;
pub mod prepare;
pub mod request;
pub mod retry;
pub mod s3xml;
pub mod session;
pub mod sigv4;
pub mod state;

pub use ascii::transliterate;

//! Uploads (API_SPEC §6, issue 5) as pure logic: the wasm layer does the I/O (fetch/XHR with
//! Blob slices or file ranges) and asks this module what to send next and what a reply means.
//!
//! - [`sigv4`]: S3 request signing; [`s3xml`]: S3's XML answers and errors.
//! - [`plan`]: part sizes and byte ranges (lane files as one object, without copying).
//! - [`checksum`]: CRC32C / MD5 per part, fed in ≤ 1 MiB chunks.
//! - [`files`]: file rules and R1/R2/lane grouping; [`retry`]: which failures retry, and when.
//! - [`init`]: the API requests that start an upload; [`session`]: the resumable upload state
//!   machine.

mod ascii;
pub mod checksum;
pub mod encode;
pub mod files;
pub mod init;
pub mod plan;
pub mod request;
pub mod retry;
pub mod s3xml;
pub mod session;
pub mod sigv4;

pub use ascii::transliterate;

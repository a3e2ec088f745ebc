//! The S3 implementation: s3s-fs underneath, with the checks it skips added here:
//! per-part Content-MD5 / x-amz-checksum-crc32c (and crc32), ETags on Complete, ListParts
//! pagination, ListMultipartUploads, server-side encryption (AES256 only).

use super::creds::Creds;
use base64::Engine;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use md5::{Digest, Md5};
use s3s::dto::*;
use s3s::{s3_error, S3Request, S3Response, S3Result, S3};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

#[derive(Clone)]
struct PartInfo {
    etag: String,
    size: u64,
    at: SystemTime,
}

#[derive(Clone)]
struct UploadInfo {
    bucket: String,
    key: String,
    initiated: SystemTime,
    parts: BTreeMap<i32, PartInfo>,
}

pub struct Wrapped {
    inner: s3s_fs::FileSystem,
    /// s3s-fs root, where parts are stored as `.upload_id-<id>.part-<n>`.
    root: std::path::PathBuf,
    uploads: Mutex<HashMap<String, UploadInfo>>,
    creds: Arc<Creds>,
}

impl Wrapped {
    pub fn new(inner: s3s_fs::FileSystem, root: std::path::PathBuf, creds: Arc<Creds>) -> Wrapped {
        Wrapped { inner, root, uploads: Mutex::new(HashMap::new()), creds }
    }

    /// s3s-fs needs parts numbered 1..N; AWS allows gaps. Renumber the chosen parts' files.
    fn renumber(&self, upload_id: &str, numbers: &[i32]) -> S3Result<()> {
        let part = |n: i32| self.root.join(format!(".upload_id-{upload_id}.part-{n}"));
        let tmp = |n: i32| self.root.join(format!(".upload_id-{upload_id}.renumber-{n}"));
        for &n in numbers {
            std::fs::rename(part(n), tmp(n)).map_err(|e| s3_error!(InternalError, "renumbering part {}: {}", n, e))?;
        }
        for (k, &n) in numbers.iter().enumerate() {
            std::fs::rename(tmp(n), part(k as i32 + 1))
                .map_err(|e| s3_error!(InternalError, "renumbering part {}: {}", n, e))?;
        }
        Ok(())
    }
    fn uploads(&self) -> std::sync::MutexGuard<'_, HashMap<String, UploadInfo>> {
        self.uploads.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn collect(body: Option<StreamingBlob>) -> S3Result<Bytes> {
    let Some(mut body) = body else { return Err(s3_error!(IncompleteBody)) };
    let mut buf = BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| s3_error!(IncompleteBody, "{}", e))?;
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

fn blob(b: Bytes) -> StreamingBlob {
    StreamingBlob::from(s3s::Body::from(b))
}

/// Verifies the integrity headers a client sent against the bytes received.
fn verify(data: &[u8], md5: Option<&str>, crc32c: Option<&str>, crc32: Option<&str>) -> S3Result<()> {
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(m) = md5 {
        let want =
            b64.decode(m.trim()).map_err(|_| s3_error!(InvalidDigest, "The Content-MD5 you specified was invalid."))?;
        if want.len() != 16 {
            return Err(s3_error!(InvalidDigest, "The Content-MD5 you specified was invalid."));
        }
        if Md5::digest(data).as_slice() != want.as_slice() {
            return Err(s3_error!(BadDigest, "The Content-MD5 you specified did not match what we received."));
        }
    }
    if let Some(c) = crc32c {
        let want = b64
            .decode(c.trim())
            .map_err(|_| s3_error!(InvalidRequest, "Value for x-amz-checksum-crc32c header is invalid."))?;
        if want.as_slice() != crc32c::crc32c(data).to_be_bytes() {
            return Err(s3_error!(BadDigest, "The CRC32C you specified did not match the calculated checksum."));
        }
    }
    if let Some(c) = crc32 {
        let want = b64
            .decode(c.trim())
            .map_err(|_| s3_error!(InvalidRequest, "Value for x-amz-checksum-crc32 header is invalid."))?;
        let mut h = flate2::Crc::new();
        h.update(data);
        if want.as_slice() != h.sum().to_be_bytes() {
            return Err(s3_error!(BadDigest, "The CRC32 you specified did not match the calculated checksum."));
        }
    }
    Ok(())
}

fn check_sse(sse: &Option<ServerSideEncryption>) -> S3Result<Option<ServerSideEncryption>> {
    match sse {
        None => Ok(None),
        Some(s) if s.as_str() == ServerSideEncryption::AES256 => {
            Ok(Some(ServerSideEncryption::from_static(ServerSideEncryption::AES256)))
        }
        Some(s) => {
            Err(s3_error!(InvalidArgument, "Server-side encryption {} is not supported by this bucket", s.as_str()))
        }
    }
}

fn strip(e: &str) -> &str {
    e.trim().trim_start_matches("W/").trim_matches('"')
}

#[async_trait::async_trait]
impl S3 for Wrapped {
    async fn head_bucket(&self, req: S3Request<HeadBucketInput>) -> S3Result<S3Response<HeadBucketOutput>> {
        self.inner.head_bucket(req).await
    }
    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.inner.get_bucket_location(req).await
    }
    async fn head_object(&self, req: S3Request<HeadObjectInput>) -> S3Result<S3Response<HeadObjectOutput>> {
        self.inner.head_object(req).await
    }
    async fn get_object(&self, req: S3Request<GetObjectInput>) -> S3Result<S3Response<GetObjectOutput>> {
        self.inner.get_object(req).await
    }
    async fn delete_object(&self, req: S3Request<DeleteObjectInput>) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.inner.delete_object(req).await
    }
    async fn list_objects_v2(&self, req: S3Request<ListObjectsV2Input>) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.inner.list_objects_v2(req).await
    }

    async fn put_object(&self, mut req: S3Request<PutObjectInput>) -> S3Result<S3Response<PutObjectOutput>> {
        let sse = check_sse(&req.input.server_side_encryption)?;
        let data = collect(req.input.body.take()).await?;
        verify(
            &data,
            req.input.content_md5.as_deref(),
            req.input.checksum_crc32c.as_deref(),
            req.input.checksum_crc32.as_deref(),
        )?;
        let crc32c = req.input.checksum_crc32c.clone();
        req.input.content_length = Some(data.len() as i64);
        req.input.body = Some(blob(data));
        let mut resp = self.inner.put_object(req).await?;
        resp.output.server_side_encryption = sse;
        resp.output.checksum_crc32c = crc32c;
        Ok(resp)
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let sse = check_sse(&req.input.server_side_encryption)?;
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        let mut resp = self.inner.create_multipart_upload(req).await?;
        if let Some(id) = &resp.output.upload_id {
            self.uploads()
                .insert(id.clone(), UploadInfo { bucket, key, initiated: SystemTime::now(), parts: BTreeMap::new() });
        }
        resp.output.server_side_encryption = sse;
        Ok(resp)
    }

    async fn upload_part(&self, mut req: S3Request<UploadPartInput>) -> S3Result<S3Response<UploadPartOutput>> {
        let id = req.input.upload_id.clone();
        let part = req.input.part_number;
        {
            let ups = self.uploads();
            let Some(u) = ups.get(&id) else { return Err(s3_error!(NoSuchUpload)) };
            if u.key != req.input.key || u.bucket != req.input.bucket {
                return Err(s3_error!(NoSuchUpload));
            }
        }
        if !(1..=10_000).contains(&part) {
            return Err(s3_error!(InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive"));
        }
        let data = collect(req.input.body.take()).await?;
        verify(
            &data,
            req.input.content_md5.as_deref(),
            req.input.checksum_crc32c.as_deref(),
            req.input.checksum_crc32.as_deref(),
        )?;
        let size = data.len() as u64;
        let crc32c = req.input.checksum_crc32c.clone();
        req.input.content_length = Some(size as i64);
        req.input.body = Some(blob(data));
        let mut resp = self.inner.upload_part(req).await?;
        let etag = resp.output.e_tag.as_ref().map(|e| e.value().to_string()).unwrap_or_default();
        if let Some(u) = self.uploads().get_mut(&id) {
            u.parts.insert(part, PartInfo { etag, size, at: SystemTime::now() });
        }
        resp.output.checksum_crc32c = crc32c;
        resp.output.server_side_encryption = Some(ServerSideEncryption::from_static(ServerSideEncryption::AES256));
        Ok(resp)
    }

    async fn list_parts(&self, req: S3Request<ListPartsInput>) -> S3Result<S3Response<ListPartsOutput>> {
        let i = &req.input;
        let ups = self.uploads();
        let Some(u) = ups.get(&i.upload_id).filter(|u| u.key == i.key && u.bucket == i.bucket) else {
            return Err(s3_error!(NoSuchUpload));
        };
        let max = i.max_parts.unwrap_or(1000).clamp(0, 1000) as usize;
        let marker = i.part_number_marker.unwrap_or(0);
        let all: Vec<(&i32, &PartInfo)> = u.parts.range(marker + 1..).collect();
        let page: Vec<Part> = all
            .iter()
            .take(max)
            .map(|(n, p)| Part {
                part_number: Some(**n),
                e_tag: Some(ETag::Strong(p.etag.clone())),
                size: Some(p.size as i64),
                last_modified: Some(Timestamp::from(p.at)),
                ..Default::default()
            })
            .collect();
        let truncated = all.len() > max;
        let next = page.last().and_then(|p| p.part_number);
        let out = ListPartsOutput {
            bucket: Some(u.bucket.clone()),
            key: Some(u.key.clone()),
            upload_id: Some(i.upload_id.clone()),
            max_parts: Some(max as i32),
            part_number_marker: i.part_number_marker,
            next_part_number_marker: if truncated { next } else { None },
            is_truncated: Some(truncated),
            parts: Some(page),
            storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
            ..Default::default()
        };
        Ok(S3Response::new(out))
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let i = &req.input;
        // Only the uploads of the keys this credential may touch.
        let allowed =
            req.credentials.as_ref().and_then(|c| self.creds.get(&c.access_key)).map(|c| c.keys).unwrap_or_default();
        let ups = self.uploads();
        let mut list: Vec<(&String, &UploadInfo)> = ups
            .iter()
            .filter(|(_, u)| u.bucket == i.bucket && allowed.contains(&u.key))
            .filter(|(_, u)| i.prefix.as_ref().is_none_or(|p| u.key.starts_with(p.as_str())))
            .collect();
        list.sort_by(|a, b| (&a.1.key, a.1.initiated, a.0).cmp(&(&b.1.key, b.1.initiated, b.0)));
        if let Some(km) = &i.key_marker {
            let uim = i.upload_id_marker.clone();
            list.retain(|(id, u)| u.key > *km || (u.key == *km && uim.as_ref().is_some_and(|m| *id > m)));
        }
        let max = i.max_uploads.unwrap_or(1000).clamp(0, 1000) as usize;
        let truncated = list.len() > max;
        list.truncate(max);
        let last = list.last().map(|(id, u)| (u.key.clone(), (*id).clone()));
        let uploads: Vec<MultipartUpload> = list
            .iter()
            .map(|(id, u)| MultipartUpload {
                key: Some(u.key.clone()),
                upload_id: Some((*id).clone()),
                initiated: Some(Timestamp::from(u.initiated)),
                storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
                ..Default::default()
            })
            .collect();
        let out = ListMultipartUploadsOutput {
            bucket: Some(i.bucket.clone()),
            prefix: i.prefix.clone(),
            key_marker: i.key_marker.clone(),
            upload_id_marker: i.upload_id_marker.clone(),
            max_uploads: Some(max as i32),
            is_truncated: Some(truncated),
            next_key_marker: if truncated { last.as_ref().map(|l| l.0.clone()) } else { None },
            next_upload_id_marker: if truncated { last.map(|l| l.1) } else { None },
            uploads: Some(uploads),
            ..Default::default()
        };
        Ok(S3Response::new(out))
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let id = req.input.upload_id.clone();
        {
            let ups = self.uploads();
            let Some(u) = ups.get(&id).filter(|u| u.key == req.input.key && u.bucket == req.input.bucket) else {
                return Err(s3_error!(NoSuchUpload));
            };
            let parts = req.input.multipart_upload.as_ref().and_then(|m| m.parts.as_ref());
            let Some(parts) = parts.filter(|p| !p.is_empty()) else {
                return Err(s3_error!(MalformedXML, "You must specify at least one part"));
            };
            let mut prev = 0;
            for p in parts {
                let n = p.part_number.ok_or_else(|| s3_error!(MalformedXML, "Each part needs a PartNumber"))?;
                if n <= prev {
                    return Err(s3_error!(InvalidPartOrder, "The list of parts was not in ascending order."));
                }
                prev = n;
            }
            for (k, p) in parts.iter().enumerate() {
                let n = p.part_number.unwrap_or(0);
                let Some(stored) = u.parts.get(&n) else {
                    return Err(s3_error!(InvalidPart, "Part {} was not uploaded.", n));
                };
                let given = p.e_tag.as_ref().map(|e| strip(e.value()).to_string()).unwrap_or_default();
                if given != strip(&stored.etag) {
                    return Err(s3_error!(
                        InvalidPart,
                        "One or more of the specified parts could not be found or the ETag did not match (part {}).",
                        n
                    ));
                }
                if k + 1 < parts.len() && stored.size < 5 * 1024 * 1024 {
                    return Err(s3_error!(
                        EntityTooSmall,
                        "Part {} is smaller than the minimum allowed size (5 MiB).",
                        n
                    ));
                }
            }
        }
        let mut req = req;
        let numbers: Vec<i32> = req
            .input
            .multipart_upload
            .as_ref()
            .and_then(|m| m.parts.as_ref())
            .map(|p| p.iter().filter_map(|x| x.part_number).collect())
            .unwrap_or_default();
        if numbers.iter().enumerate().any(|(k, &n)| n != k as i32 + 1) {
            self.renumber(&id, &numbers)?;
            if let Some(parts) = req.input.multipart_upload.as_mut().and_then(|m| m.parts.as_mut()) {
                for (k, p) in parts.iter_mut().enumerate() {
                    p.part_number = Some(k as i32 + 1);
                }
            }
        }
        let resp = self.inner.complete_multipart_upload(req).await?;
        self.uploads().remove(&id);
        Ok(resp)
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let id = req.input.upload_id.clone();
        if !self.uploads().contains_key(&id) {
            return Err(s3_error!(NoSuchUpload));
        }
        let resp = self.inner.abort_multipart_upload(req).await?;
        self.uploads().remove(&id);
        Ok(resp)
    }
}

//! S3's XML answers: initiate, list parts (paginated), complete, errors, region errors.

use onecodex_core::upload::s3xml::*;
use onecodex_core::ErrorCode;

#[test]
fn initiate_gives_the_upload_id() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE&amp;x</UploadId></InitiateMultipartUploadResult>"#;
    assert_eq!(parse_initiate(body).unwrap(), "VXBsb2FkIElE&x");
    assert_eq!(parse_initiate("<InitiateMultipartUploadResult/>").unwrap_err().code, ErrorCode::InvalidResponse);
    assert_eq!(parse_initiate("not xml").unwrap_err().code, ErrorCode::InvalidResponse);
    let e = parse_initiate("<Error><Code>AccessDenied</Code><Message>no</Message></Error>").unwrap_err();
    assert_eq!(e.code, ErrorCode::S3Error);
}

#[test]
fn list_parts_pages() {
    let page1 = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>
  <PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker>
  <MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>
  <Part><PartNumber>1</PartNumber><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;aaa&quot;</ETag><Size>10485760</Size><ChecksumCRC32C>4waSgw==</ChecksumCRC32C></Part>
  <Part>
    <PartNumber>2</PartNumber><ETag>"bbb"</ETag><Size>10485760</Size>
  </Part>
</ListPartsResult>"#;
    let p = parse_list_parts(page1).unwrap();
    assert_eq!(p.next_marker, Some(2));
    assert_eq!(
        p.parts,
        vec![
            ListedPart {
                number: 1,
                etag: "\"aaa\"".into(),
                size: 10_485_760,
                checksum_crc32c: Some("4waSgw==".into())
            },
            ListedPart { number: 2, etag: "\"bbb\"".into(), size: 10_485_760, checksum_crc32c: None },
        ]
    );
    let last = "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>3</PartNumber><ETag>c</ETag><Size>5</Size></Part></ListPartsResult>";
    assert_eq!(parse_list_parts(last).unwrap().next_marker, None);
    let empty = "<ListPartsResult><IsTruncated>false</IsTruncated></ListPartsResult>";
    assert!(parse_list_parts(empty).unwrap().parts.is_empty());
    // Truncated without NextPartNumberMarker: continue after the last part listed.
    let no_marker = "<ListPartsResult><IsTruncated>true</IsTruncated><Part><PartNumber>7</PartNumber><ETag>c</ETag><Size>5</Size></Part></ListPartsResult>";
    assert_eq!(parse_list_parts(no_marker).unwrap().next_marker, Some(7));
}

#[test]
fn broken_list_parts_are_invalid_response() {
    for bad in [
        "<Error><Code>NoSuchUpload</Code></Error>",
        "<ListPartsResult><Part><PartNumber>x</PartNumber><ETag>c</ETag><Size>5</Size></Part></ListPartsResult>",
        "<ListPartsResult><Part><PartNumber>1</PartNumber><Size>5</Size></Part></ListPartsResult>",
        "<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>c</ETag></Part></ListPartsResult>",
        "<ListPartsResult><IsTruncated>true</IsTruncated></ListPartsResult>",
    ] {
        assert_eq!(parse_list_parts(bad).unwrap_err().code, ErrorCode::InvalidResponse, "{bad}");
    }
}

#[test]
fn complete_checks_the_body_even_on_200() {
    let ok = "<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>k</Key><ETag>\"x-3\"</ETag></CompleteMultipartUploadResult>";
    assert_eq!(parse_complete(200, ok).unwrap(), "\"x-3\"");
    let e = parse_complete(
        200,
        "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>",
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::S3Error);
    assert_eq!(e.status, Some(200));
    assert_eq!(parse_complete(200, "").unwrap_err().code, ErrorCode::InvalidResponse);
    let xml = complete_xml(&[(1, "\"a\"", Some("4waSgw==")), (2, "b&c", None)]);
    assert_eq!(
        xml,
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag><ChecksumCRC32C>4waSgw==</ChecksumCRC32C></Part><Part><PartNumber>2</PartNumber><ETag>b&amp;c</ETag></Part></CompleteMultipartUpload>"
    );
}

#[test]
fn errors_are_typed_with_code_and_message() {
    let e = s3_error(403, "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message><RequestId>1</RequestId></Error>");
    assert_eq!(e.code, ErrorCode::S3Error);
    assert_eq!(e.status, Some(403));
    assert_eq!(e.message, "S3 SignatureDoesNotMatch: The request signature we calculated does not match");
    let e = s3_error(400, "<Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message></Error>");
    assert_eq!(e.code, ErrorCode::ChecksumMismatch);
    let e = s3_error(400, "<Error><Code>XAmzContentChecksumMismatch</Code><Message>m</Message></Error>");
    assert_eq!(e.code, ErrorCode::ChecksumMismatch);
    let e = s3_error(502, "<html>Bad gateway</html>");
    assert_eq!(e.code, ErrorCode::S3Error);
    assert!(e.message.contains("HTTP 502"));
}

#[test]
fn region_errors_name_the_region_to_re_sign_for() {
    // What S3 (and the local server) say for a request signed for the wrong region.
    let malformed = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region><RequestId>0</RequestId></Error>";
    assert_eq!(region_from_error(400, None, malformed).as_deref(), Some("eu-west-1"));
    let redirect = "<Error><Code>PermanentRedirect</Code><Message>use the endpoint</Message><Endpoint>b.s3.eu-central-1.amazonaws.com</Endpoint></Error>";
    assert_eq!(region_from_error(301, Some("eu-central-1"), redirect).as_deref(), Some("eu-central-1"));
    assert_eq!(region_from_error(301, None, redirect), None);
    // Other errors are not region errors even with the header present.
    let denied = "<Error><Code>AccessDenied</Code><Message>no</Message></Error>";
    assert_eq!(region_from_error(403, Some("eu-west-1"), denied), None);
    // A region that could not be a region is ignored.
    let weird = "<Error><Code>AuthorizationHeaderMalformed</Code><Region>eu west/1</Region></Error>";
    assert_eq!(region_from_error(400, None, weird), None);
}

#[test]
fn reader_is_tolerant_of_xml_details() {
    assert_eq!(elements("<A>1</A><AB>2</AB><A x=\"y\">3</A><A/>", "A"), vec!["1", "3", ""]);
    assert_eq!(unescape("&lt;&#65;&#x42;&quot;&apos;&gt;&amp;&bogus;&"), "<AB\"'>&&bogus;&");
    assert_eq!(text("<A>  x </A>", "A").as_deref(), Some("x"));
    assert_eq!(text("<A>unterminated", "A"), None);
}

/// Arbitrary text (multi-byte characters, broken tags and entities) never panics the readers.
#[test]
fn arbitrary_input_never_panics() {
    let atoms = [
        "<",
        ">",
        "/",
        "&",
        ";",
        "&#x",
        "&#",
        "amp",
        "<Part>",
        "</Part>",
        "<Error>",
        "</Error>",
        "<Code>",
        "</Code>",
        "<Region>",
        "</Region>",
        "<PartNumber>",
        "</PartNumber>",
        "<ETag>",
        "</ETag>",
        "<Size>",
        "</Size>",
        "1",
        "99999999999",
        "<IsTruncated>true</IsTruncated>",
        "<ListPartsResult>",
        "</ListPartsResult>",
        "é",
        "ሴ",
        "😀",
        " ",
        "\"",
        "<UploadId>",
        "</UploadId>",
        "<CompleteMultipartUploadResult>",
        "<NextPartNumberMarker>",
        "x",
    ];
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..5_000 {
        let mut s = String::new();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let n = (x % 24) as usize;
        for k in 0..n {
            s.push_str(atoms[((x >> (k % 50)) as usize + k * 7) % atoms.len()]);
        }
        let _ = parse_list_parts(&s);
        let _ = parse_initiate(&s);
        let _ = parse_complete(200, &s);
        let _ = s3_error(400, &s);
        let _ = region_from_error(400, Some("eu-west-1"), &s);
        let _ = unescape(&s);
        let _ = onecodex_core::upload::files::pair_files(&[s.as_str(), "a_R1.fq", "a_R2.fq"]);
        let _ = onecodex_core::upload::files::check_filename(&s, true);
        let _ = onecodex_core::upload::files::lane_group_name(&s);
        let _ = onecodex_core::upload::sigv4::sign_s3(
            "PUT",
            &format!("https://b.s3.amazonaws.com/{s}?{s}"),
            &[],
            &onecodex_core::upload::sigv4::Credentials {
                access_key_id: "a".into(),
                secret_access_key: "b".into(),
                session_token: None,
            },
            "us-east-1",
            x,
        );
    }
}

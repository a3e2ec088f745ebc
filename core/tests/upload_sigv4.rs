//! SigV4 against the AWS signing test suite and the S3 documentation's GET Object example.

use onecodex_core::upload::sigv4::{
    amz_date, sign, sign_s3, Credentials, Payload, SigningParams, EMPTY_SHA256,
};
use onecodex_core::ErrorCode;

struct Vector {
    name: &'static str,
    method: &'static str,
    url: &'static str,
    headers: &'static [(&'static str, &'static str)],
    token: Option<&'static str>,
    canonical: &'static str,
    signature: &'static str,
}

// Copied from the aws-sigv4 1.6.4 crate source, `aws-signing-test-suite/v4/<name>/` (request.txt,
// context.json, header-canonical-request.txt, header-signature.txt; the suite comes from
// awslabs/aws-c-auth). All use AKIDEXAMPLE, us-east-1, service "service", 2015-08-30T12:36:00Z,
// and `sign_body: false` (empty-body hash, no x-amz-content-sha256 header). Only the vectors whose
// path rules match S3's (single encoding, no normalisation) are taken.
const VECTORS: &[Vector] = &[
    Vector {
        name: "get-vanilla",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[],
        token: None,
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    },
    Vector {
        name: "get-vanilla-query",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[],
        token: None,
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    },
    Vector {
        name: "get-vanilla-query-order-key-case",
        method: "GET",
        url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
        headers: &[],
        token: None,
        canonical: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    },
    Vector {
        name: "get-vanilla-query-unreserved",
        method: "GET",
        url: "https://example.amazonaws.com/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        headers: &[],
        token: None,
        canonical: "GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    },
    Vector {
        name: "get-vanilla-utf8-query",
        method: "GET",
        url: "https://example.amazonaws.com/?ሴ=bar",
        headers: &[],
        token: None,
        canonical: "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    },
    Vector {
        name: "get-vanilla-empty-query-key",
        method: "GET",
        url: "https://example.amazonaws.com/?Param1=value1",
        headers: &[],
        token: None,
        canonical: "GET\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
    },
    Vector {
        name: "get-unreserved",
        method: "GET",
        url: "https://example.amazonaws.com/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        headers: &[],
        token: None,
        canonical: "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    },
    Vector {
        name: "get-utf8",
        method: "GET",
        url: "https://example.amazonaws.com/ሴ",
        headers: &[],
        token: None,
        canonical: "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    },
    Vector {
        name: "get-space-unnormalized",
        method: "GET",
        url: "https://example.amazonaws.com/example space/",
        headers: &[],
        token: None,
        canonical: "GET\n/example%20space/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
    },
    Vector {
        name: "get-slash-unnormalized",
        method: "GET",
        url: "https://example.amazonaws.com//",
        headers: &[],
        token: None,
        canonical: "GET\n//\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "c88bcd3d312d75078c0cd961d6deae3f4c754924b01669efcfcb439fd5e5b76e",
    },
    Vector {
        name: "get-slashes-unnormalized",
        method: "GET",
        url: "https://example.amazonaws.com//example//",
        headers: &[],
        token: None,
        canonical: "GET\n//example//\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5",
    },
    Vector {
        name: "get-relative-unnormalized",
        method: "GET",
        url: "https://example.amazonaws.com/example/..",
        headers: &[],
        token: None,
        canonical: "GET\n/example/..\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282",
    },
    Vector {
        name: "get-header-value-trim",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
        token: None,
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    },
    Vector {
        name: "get-header-key-duplicate",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
        token: None,
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
    },
    Vector {
        name: "get-header-value-order",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")],
        token: None,
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
    },
    Vector {
        name: "get-vanilla-with-session-token",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[],
        token: Some("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"),
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
    },
    Vector {
        name: "post-header-key-sort",
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", "value1")],
        token: None,
        canonical: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
    },
    Vector {
        name: "post-header-value-case",
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", "VALUE1")],
        token: None,
        canonical: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:VALUE1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    },
    Vector {
        name: "post-vanilla",
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: &[],
        token: None,
        canonical: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    },
    Vector {
        name: "post-vanilla-query",
        method: "POST",
        url: "https://example.amazonaws.com/?Param1=value1",
        headers: &[],
        token: None,
        canonical: "POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
    },
];

const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_TIME_MS: u64 = 1_440_938_160_000; // 2015-08-30T12:36:00Z

#[test]
fn aws_signing_test_suite_vectors() {
    assert_eq!(amz_date(SUITE_TIME_MS), "20150830T123600Z");
    for v in VECTORS {
        let creds = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: SUITE_SECRET.into(),
            session_token: v.token.map(String::from),
        };
        let params = SigningParams {
            credentials: &creds,
            region: "us-east-1",
            service: "service",
            unix_ms: SUITE_TIME_MS,
            payload: Payload::Hash {
                hex: EMPTY_SHA256,
                send_header: false,
            },
        };
        let s = sign(v.method, v.url, v.headers, &params).unwrap();
        assert_eq!(
            s.canonical_request, v.canonical,
            "canonical request of {}",
            v.name
        );
        assert_eq!(s.signature, v.signature, "signature of {}", v.name);
        let auth = &s
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .unwrap()
            .1;
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="), "{auth}");
        assert!(auth.ends_with(&format!("Signature={}", v.signature)));
        assert_eq!(
            s.headers.iter().any(|(k, _)| k == "x-amz-security-token"),
            v.token.is_some(),
            "{}",
            v.name
        );
        assert!(
            !s.headers.iter().any(|(k, _)| k == "x-amz-content-sha256"),
            "{}",
            v.name
        );
    }
}

/// The GET Object example of the S3 docs ("Signature Calculations for the Authorization Header:
/// Transferring Payload in a Single Chunk", example GET Object), with its documented signature.
#[test]
fn s3_documentation_get_object_example() {
    let creds = Credentials {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        session_token: None,
    };
    let params = SigningParams {
        credentials: &creds,
        region: "us-east-1",
        service: "s3",
        unix_ms: 1_369_353_600_000, // 20130524T000000Z
        payload: Payload::Hash {
            hex: EMPTY_SHA256,
            send_header: true,
        },
    };
    let s = sign(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        &[("Range", "bytes=0-9")],
        &params,
    )
    .unwrap();
    assert_eq!(
        s.canonical_request,
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        s.string_to_sign,
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
    );
    assert_eq!(
        s.signature,
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
    let auth = &s
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .unwrap()
        .1;
    assert_eq!(
        auth,
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
}

fn creds() -> Credentials {
    Credentials {
        access_key_id: "AKID".into(),
        secret_access_key: "secret".into(),
        session_token: None,
    }
}

#[test]
fn s3_upload_part_uses_unsigned_payload_and_signs_checksum_and_port() {
    let url = "http://127.0.0.1:9000/bucket/dir/my%20file.fq?uploadId=a%2Bb&partNumber=2";
    let s = sign_s3(
        "PUT",
        url,
        &[("x-amz-checksum-crc32c", "AAAAAA==")],
        &creds(),
        "eu-west-1",
        0,
    )
    .unwrap();
    let lines: Vec<&str> = s.canonical_request.lines().collect();
    assert_eq!(lines[0], "PUT");
    assert_eq!(lines[1], "/bucket/dir/my%20file.fq");
    assert_eq!(lines[2], "partNumber=2&uploadId=a%2Bb"); // sorted, re-encoded the same way
    assert_eq!(lines[3], "host:127.0.0.1:9000"); // a non-default port is part of Host
    assert!(s.canonical_request.ends_with(
        "\nhost;x-amz-checksum-crc32c;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"
    ));
    let sha = s
        .headers
        .iter()
        .find(|(k, _)| k == "x-amz-content-sha256")
        .unwrap();
    assert_eq!(sha.1, "UNSIGNED-PAYLOAD");
    // `?uploads` (no value) canonicalises as `uploads=`; a default port is dropped.
    let s = sign_s3(
        "POST",
        "https://b.s3.amazonaws.com:443/k?uploads",
        &[],
        &creds(),
        "us-east-1",
        0,
    )
    .unwrap();
    let lines: Vec<&str> = s.canonical_request.lines().collect();
    assert_eq!(lines[2], "uploads=");
    assert_eq!(lines[3], "host:b.s3.amazonaws.com");
}

#[test]
fn s3_paths_are_encoded_once_and_not_normalised() {
    let s = sign_s3(
        "GET",
        "https://b.s3.amazonaws.com//a/./b/../c=d",
        &[],
        &creds(),
        "us-east-1",
        0,
    )
    .unwrap();
    assert_eq!(
        s.canonical_request.lines().nth(1).unwrap(),
        "//a/./b/../c%3Dd"
    );
    // Already-encoded and raw forms sign identically.
    let a = sign_s3(
        "GET",
        "https://b.s3.amazonaws.com/a%20b",
        &[],
        &creds(),
        "us-east-1",
        0,
    )
    .unwrap();
    let b = sign_s3(
        "GET",
        "https://b.s3.amazonaws.com/a b",
        &[],
        &creds(),
        "us-east-1",
        0,
    )
    .unwrap();
    assert_eq!(a.signature, b.signature);
}

#[test]
fn session_token_is_sent_and_signed() {
    let c = Credentials {
        session_token: Some("TOKEN".into()),
        ..creds()
    };
    let s = sign_s3(
        "GET",
        "https://b.s3.amazonaws.com/k",
        &[],
        &c,
        "us-east-1",
        0,
    )
    .unwrap();
    assert!(s
        .headers
        .contains(&("x-amz-security-token".into(), "TOKEN".into())));
    assert!(s.canonical_request.contains("x-amz-security-token:TOKEN\n"));
}

#[test]
fn bad_inputs_are_typed_errors() {
    for url in [
        "ftp://b/k",
        "b.s3.amazonaws.com/k",
        "https:///k",
        "https://b/k%zz",
        "https://b/k?a=%2",
    ] {
        let e = sign_s3("GET", url, &[], &creds(), "us-east-1", 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{url}");
    }
    for region in ["", "us east", "us-east-1/x"] {
        let e = sign_s3("GET", "https://b/k", &[], &creds(), region, 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{region:?}");
    }
    let e = sign_s3(
        "GET",
        "https://b/k",
        &[("bad name", "v")],
        &creds(),
        "us-east-1",
        0,
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    // Errors never carry the secret.
    assert!(!e.message.contains("secret"));
}

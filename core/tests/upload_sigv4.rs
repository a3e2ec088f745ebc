//! SigV4 against the AWS signing test suite and the S3 documentation's GET Object example.

use onecodex_core::upload::sigv4::{
    amz_date, presign, presign_s3, sign, sign_s3, Credentials, Payload, SigningParams, EMPTY_SHA256,
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
    query_canonical: &'static str,
    query_signature: &'static str,
}

// Copied from the aws-sigv4 1.6.4 crate source, `aws-signing-test-suite/v4/<name>/` (request.txt,
// context.json, header-canonical-request.txt, header-signature.txt, query-canonical-request.txt,
// query-signature.txt; the suite comes from
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
        query_canonical: "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d",
    },
    Vector {
        name: "get-vanilla-query",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[],
        token: None,
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        query_canonical: "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d",
    },
    Vector {
        name: "get-vanilla-query-order-key-case",
        method: "GET",
        url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
        headers: &[],
        token: None,
        canonical: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        query_canonical: "GET\n/\nParam1=value1&Param2=value2&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5",
    },
    Vector {
        name: "get-vanilla-query-unreserved",
        method: "GET",
        url: "https://example.amazonaws.com/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        headers: &[],
        token: None,
        canonical: "GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
        query_canonical: "GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "8e76a88a7433637b12778d5592799b29ad21ecd6cf6325051c21d86f0acda2bf",
    },
    Vector {
        name: "get-vanilla-utf8-query",
        method: "GET",
        url: "https://example.amazonaws.com/?ሴ=bar",
        headers: &[],
        token: None,
        canonical: "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
        query_canonical: "GET\n/\n%E1%88%B4=bar&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "0bdd809b1519ac4f0c1dc3540e2cc46bd0c7f778eda408b2ebf3b913d21ff600",
    },
    Vector {
        name: "get-vanilla-empty-query-key",
        method: "GET",
        url: "https://example.amazonaws.com/?Param1=value1",
        headers: &[],
        token: None,
        canonical: "GET\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
        query_canonical: "GET\n/\nParam1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "49096700cbbaa5753443850f40df10f904fc2fdb544dc9512203cc77c471a9de",
    },
    Vector {
        name: "get-unreserved",
        method: "GET",
        url: "https://example.amazonaws.com/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        headers: &[],
        token: None,
        canonical: "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
        query_canonical: "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "95968482db1b9e0fadef6efc1bd24689f77c77d9ef56919c96a28cc92e0d6005",
    },
    Vector {
        name: "get-utf8",
        method: "GET",
        url: "https://example.amazonaws.com/ሴ",
        headers: &[],
        token: None,
        canonical: "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
        query_canonical: "GET\n/%E1%88%B4\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "10eae3f14a260bd3911cc6d008d3c576d143b05b62f09782a7a4b37f52178e44",
    },
    Vector {
        name: "get-space-unnormalized",
        method: "GET",
        url: "https://example.amazonaws.com/example space/",
        headers: &[],
        token: None,
        canonical: "GET\n/example%20space/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
        query_canonical: "GET\n/example%20space/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "7a1f416954786484c9824d93c1f26ef64acb9b1b6c9154d08c9f07d0e394abf6",
    },
    Vector {
        name: "get-slash-unnormalized",
        method: "GET",
        url: "https://example.amazonaws.com//",
        headers: &[],
        token: None,
        canonical: "GET\n//\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "c88bcd3d312d75078c0cd961d6deae3f4c754924b01669efcfcb439fd5e5b76e",
        query_canonical: "GET\n//\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "b2a9542809db687769200f56a844a03f2bd0291d6eb90232d5101c6a579446cd",
    },
    Vector {
        name: "get-slashes-unnormalized",
        method: "GET",
        url: "https://example.amazonaws.com//example//",
        headers: &[],
        token: None,
        canonical: "GET\n//example//\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5",
        query_canonical: "GET\n//example//\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "822a5a9ba28072c5ab2bb4a6307d0c88276d40e49fec6b724c03fb4d4ba60fc2",
    },
    Vector {
        name: "get-relative-unnormalized",
        method: "GET",
        url: "https://example.amazonaws.com/example/..",
        headers: &[],
        token: None,
        canonical: "GET\n/example/..\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282",
        query_canonical: "GET\n/example/..\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "cbcb213b928a077e43275df47b500f1dfaa864ab3f5a18f6b95f4ff0938167ee",
    },
    Vector {
        name: "get-header-value-trim",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
        token: None,
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
        query_canonical: "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1%3Bmy-header2\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n\nhost;my-header1;my-header2\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "e7bb0fd515e125e1aec2ecc4c0c17484fb06f6846b927c35e46005dd3df3acd4",
    },
    Vector {
        name: "get-header-key-duplicate",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
        token: None,
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
        query_canonical: "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\n\nhost;my-header1\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "3349ee0b81b4b589da0ff28a395c3591e04de515651dd74f298fa992d1507a97",
    },
    Vector {
        name: "get-header-value-order",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")],
        token: None,
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
        query_canonical: "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1\nhost:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\n\nhost;my-header1\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "313720e71ca6202fdcfa9b20f88de01a4eb0638a83c833b1c184359a4eda864e",
    },
    Vector {
        name: "get-vanilla-with-session-token",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[],
        token: Some("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"),
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
        query_canonical: "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-Security-Token=6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c",
    },
    Vector {
        name: "post-header-key-sort",
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", "value1")],
        token: None,
        canonical: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
        query_canonical: "POST\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1\nhost:example.amazonaws.com\nmy-header1:value1\n\nhost;my-header1\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "c09d07e0d55871f10f2a6d350d994acf6825a3cae70673d7def55616e6119dd7",
    },
    Vector {
        name: "post-header-value-case",
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: &[("My-Header1", "VALUE1")],
        token: None,
        canonical: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:VALUE1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
        query_canonical: "POST\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1\nhost:example.amazonaws.com\nmy-header1:VALUE1\n\nhost;my-header1\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "0698bc9e4f7f9139065ba2909c0e99da257e8e2a42492a097bcd46d792391fed",
    },
    Vector {
        name: "post-vanilla",
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: &[],
        token: None,
        canonical: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        query_canonical: "POST\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "2ce6e6d2e0cf2f9d1b55fafec88cd20574c31dc2e7631979f71ba2310083e95b",
    },
    Vector {
        name: "post-vanilla-query",
        method: "POST",
        url: "https://example.amazonaws.com/?Param1=value1",
        headers: &[],
        token: None,
        canonical: "POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
        query_canonical: "POST\n/\nParam1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        query_signature: "a9ef26247f293bffe40eeff86a0480ba8c14d31503b2e0c3399e3a16bf1a3682",
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
            payload: Payload::Hash { hex: EMPTY_SHA256, send_header: false },
        };
        let s = sign(v.method, v.url, v.headers, &params).unwrap();
        assert_eq!(s.canonical_request, v.canonical, "canonical request of {}", v.name);
        assert_eq!(s.signature, v.signature, "signature of {}", v.name);
        let auth = &s.headers.iter().find(|(k, _)| k == "authorization").unwrap().1;
        assert!(
            auth.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="
            ),
            "{auth}"
        );
        assert!(auth.ends_with(&format!("Signature={}", v.signature)));
        assert_eq!(s.headers.iter().any(|(k, _)| k == "x-amz-security-token"), v.token.is_some(), "{}", v.name);
        assert!(!s.headers.iter().any(|(k, _)| k == "x-amz-content-sha256"), "{}", v.name);
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
        payload: Payload::Hash { hex: EMPTY_SHA256, send_header: true },
    };
    let s = sign("GET", "https://examplebucket.s3.amazonaws.com/test.txt", &[("Range", "bytes=0-9")], &params).unwrap();
    assert_eq!(
        s.canonical_request,
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        s.string_to_sign,
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
    );
    assert_eq!(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    let auth = &s.headers.iter().find(|(k, _)| k == "authorization").unwrap().1;
    assert_eq!(
        auth,
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
}

fn creds() -> Credentials {
    Credentials { access_key_id: "AKID".into(), secret_access_key: "secret".into(), session_token: None }
}

#[test]
fn s3_upload_part_uses_unsigned_payload_and_signs_checksum_and_port() {
    let url = "http://127.0.0.1:9000/bucket/dir/my%20file.fq?uploadId=a%2Bb&partNumber=2";
    let s = sign_s3("PUT", url, &[("x-amz-checksum-crc32c", "AAAAAA==")], &creds(), "eu-west-1", 0).unwrap();
    let lines: Vec<&str> = s.canonical_request.lines().collect();
    assert_eq!(lines[0], "PUT");
    assert_eq!(lines[1], "/bucket/dir/my%20file.fq");
    assert_eq!(lines[2], "partNumber=2&uploadId=a%2Bb"); // sorted, re-encoded the same way
    assert_eq!(lines[3], "host:127.0.0.1:9000"); // a non-default port is part of Host
    assert!(s
        .canonical_request
        .ends_with("\nhost;x-amz-checksum-crc32c;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"));
    let sha = s.headers.iter().find(|(k, _)| k == "x-amz-content-sha256").unwrap();
    assert_eq!(sha.1, "UNSIGNED-PAYLOAD");
    // `?uploads` (no value) canonicalises as `uploads=`; a default port is dropped.
    let s = sign_s3("POST", "https://b.s3.amazonaws.com:443/k?uploads", &[], &creds(), "us-east-1", 0).unwrap();
    let lines: Vec<&str> = s.canonical_request.lines().collect();
    assert_eq!(lines[2], "uploads=");
    assert_eq!(lines[3], "host:b.s3.amazonaws.com");
}

#[test]
fn s3_paths_are_encoded_once_and_not_normalised() {
    let s = sign_s3("GET", "https://b.s3.amazonaws.com//a/./b/../c=d", &[], &creds(), "us-east-1", 0).unwrap();
    assert_eq!(s.canonical_request.lines().nth(1).unwrap(), "//a/./b/../c%3Dd");
    // Already-encoded and raw forms sign identically.
    let a = sign_s3("GET", "https://b.s3.amazonaws.com/a%20b", &[], &creds(), "us-east-1", 0).unwrap();
    let b = sign_s3("GET", "https://b.s3.amazonaws.com/a b", &[], &creds(), "us-east-1", 0).unwrap();
    assert_eq!(a.signature, b.signature);
}

#[test]
fn session_token_is_sent_and_signed() {
    let c = Credentials { session_token: Some("TOKEN".into()), ..creds() };
    let s = sign_s3("GET", "https://b.s3.amazonaws.com/k", &[], &c, "us-east-1", 0).unwrap();
    assert!(s.headers.contains(&("x-amz-security-token".into(), "TOKEN".into())));
    assert!(s.canonical_request.contains("x-amz-security-token:TOKEN\n"));
}

#[test]
fn bad_inputs_are_typed_errors() {
    for url in ["ftp://b/k", "b.s3.amazonaws.com/k", "https:///k", "https://b/k%zz", "https://b/k?a=%2"] {
        let e = sign_s3("GET", url, &[], &creds(), "us-east-1", 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{url}");
    }
    for region in ["", "us east", "us-east-1/x"] {
        let e = sign_s3("GET", "https://b/k", &[], &creds(), region, 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{region:?}");
    }
    let e = sign_s3("GET", "https://b/k", &[("bad name", "v")], &creds(), "us-east-1", 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    // Errors never carry the secret.
    assert!(!e.message.contains("secret"));
}

#[test]
fn aws_signing_test_suite_query_vectors() {
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
            payload: Payload::Hash { hex: EMPTY_SHA256, send_header: false },
        };
        let p = presign(v.method, v.url, v.headers, &params, 3600).unwrap();
        assert_eq!(p.canonical_request, v.query_canonical, "query canonical request of {}", v.name);
        assert_eq!(p.signature, v.query_signature, "query signature of {}", v.name);
        assert!(p.url.starts_with(v.url.split('#').next().unwrap()));
        assert!(p.url.contains("X-Amz-Expires=3600&"));
        assert!(p.url.ends_with(&format!("&X-Amz-Signature={}", v.query_signature)), "{}", p.url);
    }
}

#[test]
fn s3_presigned_part_url() {
    let url = "https://b.s3.amazonaws.com/k/x.fq?partNumber=1&uploadId=u";
    let p = presign_s3("PUT", url, &[("x-amz-checksum-crc32c", "AAAAAA==")], &creds(), "us-east-1", 0, 900).unwrap();
    assert!(p.url.starts_with("https://b.s3.amazonaws.com/k/x.fq?partNumber=1&uploadId=u&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F19700101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=19700101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host%3Bx-amz-checksum-crc32c&X-Amz-Signature="), "{}", p.url);
    assert!(p.canonical_request.ends_with("\nhost;x-amz-checksum-crc32c\nUNSIGNED-PAYLOAD"));
    for bad in [0, 604_801] {
        assert_eq!(
            presign_s3("PUT", url, &[], &creds(), "us-east-1", 0, bad).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }
}

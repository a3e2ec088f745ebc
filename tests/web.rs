//! wasm-bindgen tests of the exported API, run in Node and in headless Chromium
//! (`scripts/test-wasm.mjs`). They call the same exports JavaScript sees.
#![cfg(target_arch = "wasm32")]

use js_sys::{Reflect, JSON};
use onecodex_wasm::{encode_sort, encode_where, is_one_codex_error, OneCodex};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON parses")
}

fn code_of(err: &JsValue) -> String {
    assert!(is_one_codex_error(err.clone()), "not a OneCodexError: {err:?}");
    Reflect::get(err, &"code".into()).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
fn encode_where_matches_the_python_client() {
    let filter = js(r#"{"filename": {"$icontains": "a b/c"}, "project": "4b53797444f846c4", "size": [1, 2.5]}"#);
    assert_eq!(
        encode_where(filter, JsValue::UNDEFINED).unwrap(),
        r#"{"filename": {"$icontains": "a b/c"}, "project": "4b53797444f846c4", "size": {"$in": [1, 2.5]}}"#
    );
    assert_eq!(encode_where(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap(), "{}");
}

#[wasm_bindgen_test]
fn bad_filters_throw_typed_errors() {
    let err = encode_where(js(r#"{"size": {"$between": [1]}}"#), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(code_of(&err), "invalid_filter");
    let message = Reflect::get(&err, &"message".into()).unwrap().as_string().unwrap();
    assert!(message.contains("'size'") && message.contains("$between"), "{message}");
    let err = encode_where(js("{}"), JsValue::from_str("nope")).unwrap_err();
    assert_eq!(code_of(&err), "invalid_argument");
    assert!(!is_one_codex_error(JsValue::from_str("invalid_filter")));
}

#[wasm_bindgen_test]
fn sort_and_listing_url() {
    assert_eq!(encode_sort(js(r#"["size", "^filename"]"#)).unwrap(), r#"{"size": true, "filename": false}"#);
    let ocx = OneCodex::new(Some(js(r#"{"apiKey": "k", "baseUrl": "http://127.0.0.1:8080/"}"#))).unwrap();
    assert_eq!(ocx.base_url(), "http://127.0.0.1:8080");
    assert_eq!(ocx.auth_scheme(), "basic");
    let url = ocx
        .listing_url(JsValue::from_str("projects"), Some(js(r#"{"name": "x"}"#)), Some(js(r#"{"page": 2}"#)))
        .unwrap();
    assert_eq!(
        url,
        "http://127.0.0.1:8080/api/v1/projects?where=%7B%22name%22%3A+%22x%22%7D&sort=%7B%7D&per_page=100&expand=all&page=2"
    );
}

#[wasm_bindgen_test]
fn client_refuses_unsafe_or_unknown_options() {
    let err = OneCodex::new(Some(js(r#"{"apiKey": "k", "baseUrl": "http://example.com"}"#))).err().unwrap();
    assert_eq!(code_of(&err), "invalid_argument");
    let err = OneCodex::new(Some(js(r#"{"apikey": "k"}"#))).err().unwrap();
    assert_eq!(code_of(&err), "invalid_argument");
    let message = Reflect::get(&err, &"message".into()).unwrap().as_string().unwrap();
    assert!(message.contains("apikey"), "{message}");
    assert!(!message.contains("\"k\""), "the key must not be echoed: {message}");
}

#[wasm_bindgen_test]
fn option_errors_never_echo_secrets() {
    // A key passed where a boolean belongs would otherwise be quoted by serde's message.
    let err = OneCodex::new(Some(js(r#"{"apiKey": "k", "experimental": "s3cr3t-key-value"}"#))).err().unwrap();
    assert_eq!(code_of(&err), "invalid_argument");
    let err =
        OneCodex::new(Some(js(r#"{"apiKey": "s3cr3t-key-value", "experimental": "s3cr3t-key-value"}"#))).err().unwrap();
    let message = Reflect::get(&err, &"message".into()).unwrap().as_string().unwrap();
    assert!(!message.contains("s3cr3t"), "{message}");
}

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use super::{Deserializer, ErrorCapture, deserialize};

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Section {
    name: Option<String>,
    count: Option<i64>,
    small: Option<u8>,
    ratio: Option<f64>,
    enabled: Option<bool>,
    items: Option<Vec<String>>,
    numbers: Option<Vec<u16>>,
    children: Option<Vec<Child>>,
    nested: Option<Child>,
    headers: Option<BTreeMap<String, String>>,
    codes: Option<BTreeMap<String, i64>>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Child {
    main: Option<String>,
    insecure_skip_verify: Option<bool>,
}

fn yaml<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, serde_yaml::Error> {
    deserialize(serde_yaml::Deserializer::from_str(text))
}

fn toml<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, toml::de::Error> {
    deserialize(toml::Deserializer::new(text))
}

fn value<T: for<'de> Deserialize<'de>>(v: serde_json::Value) -> Result<T, serde_json::Error> {
    deserialize(v)
}

// --- option names ---

#[test]
fn option_names_match_ignoring_case() {
    let got: Section = yaml("NAME: a\nNested:\n  InsecureSKIPVerify: true\n").unwrap();
    assert_eq!(got.name.as_deref(), Some("a"));
    assert_eq!(got.nested.unwrap().insecure_skip_verify, Some(true));
}

#[test]
fn option_names_match_ignoring_case_in_toml() {
    let got: Section = toml("[Nested]\nMAIN = 'x'\n").unwrap();
    assert_eq!(got.nested.unwrap().main.as_deref(), Some("x"));
}

#[test]
fn map_keys_keep_their_case() {
    let got: Section = yaml("headers:\n  X-Custom-Header: v\n  user-agent: w\n").unwrap();
    let headers = got.headers.unwrap();
    assert_eq!(
        headers.get("X-Custom-Header").map(String::as_str),
        Some("v")
    );
    assert_eq!(headers.get("user-agent").map(String::as_str), Some("w"));
}

#[test]
fn unknown_option_is_reported_with_its_spelling() {
    let err = yaml::<Section>("nmae: a\n").unwrap_err().to_string();
    assert!(err.contains("unknown field `nmae`"), "{err}");
}

#[test]
fn same_option_twice_in_different_case_is_a_duplicate() {
    let err = yaml::<Section>("name: a\nName: b\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("duplicate field `name`"), "{err}");
}

#[test]
fn duplicate_map_key_is_refused() {
    let err = yaml::<Section>("headers:\n  a: x\n  a: y\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("duplicate key `a`"), "{err}");
}

#[test]
fn integer_map_keys_become_strings() {
    let got: Section = yaml("codes:\n  418: 400\n  '500-502': 404\n").unwrap();
    let codes = got.codes.unwrap();
    assert_eq!(codes.get("418"), Some(&400));
    assert_eq!(codes.get("500-502"), Some(&404));
}

// --- scalars ---

#[test]
fn strings_parse_into_bool_int_float() {
    let got: Section = yaml("enabled: 'true'\ncount: '-42'\nsmall: ' 7 '\nratio: '1.5'\n").unwrap();
    assert_eq!(got.enabled, Some(true));
    assert_eq!(got.count, Some(-42));
    assert_eq!(got.small, Some(7));
    assert_eq!(got.ratio, Some(1.5));
}

#[test]
fn go_boolean_spellings_are_accepted() {
    for (text, expected) in [
        ("1", true),
        ("T", true),
        ("TRUE", true),
        ("0", false),
        ("f", false),
    ] {
        let got: Section = value(json!({ "enabled": text })).unwrap();
        assert_eq!(got.enabled, Some(expected), "{text}");
    }
}

#[test]
fn integer_into_float_field() {
    let got: Section = yaml("ratio: 42\n").unwrap();
    assert_eq!(got.ratio, Some(42.0));
}

#[test]
fn scalars_become_text_where_a_string_is_expected() {
    let got: Section = yaml("name: 8080\n").unwrap();
    assert_eq!(got.name.as_deref(), Some("8080"));
    let got: Section = toml("name = true\n").unwrap();
    assert_eq!(got.name.as_deref(), Some("true"));
    let got: Section = yaml("name: 1.5\n").unwrap();
    assert_eq!(got.name.as_deref(), Some("1.5"));
}

#[test]
fn unparsable_string_keeps_the_natural_error() {
    let err = yaml::<Section>("count: lots\n").unwrap_err().to_string();
    assert!(err.contains("invalid type: string \"lots\""), "{err}");
    let err = yaml::<Section>("small: '300'\n").unwrap_err().to_string();
    assert!(err.contains("invalid value: integer `300`"), "{err}");
}

#[test]
fn map_where_a_string_is_expected_is_an_error() {
    let err = yaml::<Section>("name: {a: b}\n").unwrap_err().to_string();
    assert!(
        err.contains("invalid type: map, expected a string"),
        "{err}"
    );
}

// --- sections ---

#[test]
fn bare_true_enables_a_section() {
    for input in [
        json!({ "nested": true }),
        json!({ "nested": "true" }),
        json!({ "nested": "" }),
    ] {
        let got: Section = value(input.clone()).unwrap();
        assert_eq!(got.nested, Some(Child::default()), "{input}");
    }
}

#[test]
fn empty_map_enables_a_section() {
    let got: Section = yaml("nested: {}\n").unwrap();
    assert_eq!(got.nested, Some(Child::default()));
    let got: Section = toml("[nested]\n").unwrap();
    assert_eq!(got.nested, Some(Child::default()));
}

#[test]
fn false_cannot_switch_a_section_off() {
    let err = value::<Section>(json!({ "nested": "false" }))
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot switch a section off"), "{err}");
}

#[test]
fn yaml_null_leaves_an_option_unset() {
    let got: Section = yaml("nested:\nname: ~\nitems: null\n").unwrap();
    assert_eq!(got, Section::default());
}

#[test]
fn null_where_a_struct_or_string_is_expected_without_option() {
    let got: BTreeMap<String, Child> = yaml("a:\n").unwrap();
    assert_eq!(got.get("a"), Some(&Child::default()));
    let got: BTreeMap<String, String> = yaml("X-Remove:\n").unwrap();
    assert_eq!(got.get("X-Remove").map(String::as_str), Some(""));
}

#[test]
fn sequence_where_a_section_is_expected_is_an_error() {
    let err = yaml::<Section>("nested: [a]\n").unwrap_err().to_string();
    assert!(err.contains("expected a map of options"), "{err}");
}

// --- lists ---

#[test]
fn index_map_becomes_a_sequence_in_index_order() {
    let got: Section = value(json!({
        "children": { "10": { "main": "c" }, "0": { "main": "a" }, "2": { "MAIN": "b" } }
    }))
    .unwrap();
    let mains: Vec<_> = got
        .children
        .unwrap()
        .into_iter()
        .map(|c| c.main.unwrap())
        .collect();
    assert_eq!(mains, ["a", "b", "c"]);
}

#[test]
fn index_map_from_yaml_integer_keys() {
    let got: Section = yaml("numbers:\n  1: '20'\n  0: 10\n").unwrap();
    assert_eq!(got.numbers, Some(vec![10, 20]));
}

#[test]
fn map_with_non_index_key_is_not_a_sequence() {
    let err = value::<Section>(json!({ "items": { "0": "a", "x": "b" } }))
        .unwrap_err()
        .to_string();
    assert!(err.contains("found a map with key `x`"), "{err}");
}

#[test]
fn empty_map_is_an_empty_sequence() {
    let got: Section = yaml("children: {}\n").unwrap();
    assert_eq!(got.children, Some(vec![]));
}

#[test]
fn string_is_split_on_commas() {
    let got: Section = value(json!({ "items": "a, b,c", "numbers": "1,2" })).unwrap();
    assert_eq!(got.items, Some(vec!["a".into(), "b".into(), "c".into()]));
    assert_eq!(got.numbers, Some(vec![1, 2]));
    let got: Section = value(json!({ "items": "" })).unwrap();
    assert_eq!(got.items, Some(vec![]));
}

#[test]
fn lone_scalar_is_a_one_element_sequence() {
    let got: Section = yaml("items: 404\nnumbers: 7\n").unwrap();
    assert_eq!(got.items, Some(vec!["404".to_owned()]));
    assert_eq!(got.numbers, Some(vec![7]));
}

#[test]
fn leniency_reaches_sequence_elements() {
    let got: Section = yaml("numbers: ['1', 2]\nchildren:\n  - Main: x\n").unwrap();
    assert_eq!(got.numbers, Some(vec![1, 2]));
    assert_eq!(got.children.unwrap()[0].main.as_deref(), Some("x"));
}

// --- plumbing ---

#[test]
fn newtype_contents_are_adapted() {
    #[derive(Debug, Deserialize, PartialEq)]
    struct Wrapper(Child);
    let got: Wrapper = yaml("MAIN: x\n").unwrap();
    assert_eq!(got.0.main.as_deref(), Some("x"));
}

#[test]
fn any_passes_values_through() {
    let got: serde_json::Value = yaml("a: [1, 'x', {b: ~}]\n").unwrap();
    assert_eq!(got, json!({ "a": [1, "x", { "b": null }] }));
}

#[test]
fn capture_keeps_the_plain_first_message() {
    let capture = ErrorCapture::new();
    let de = Deserializer::with_capture(
        serde_yaml::Deserializer::from_str("a:\n  nmae: x\n"),
        &capture,
    );
    let result: Result<BTreeMap<String, Section>, _> = Deserialize::deserialize(de);
    let full = result.unwrap_err().to_string();
    let first = capture.message().unwrap();
    assert!(first.starts_with("unknown field `nmae`"), "{first}");
    assert!(full.contains("line 2"), "{full}");
    assert!(!first.contains("line 2"), "{first}");
}

#[test]
fn works_under_serde_path_to_error_with_canonical_names() {
    let de = Deserializer::new(serde_yaml::Deserializer::from_str("NESTED:\n  MAIN: [x]\n"));
    let err = serde_path_to_error::deserialize::<_, Section>(de).unwrap_err();
    assert_eq!(err.path().to_string(), "nested.main");
}

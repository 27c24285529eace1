//! The text rule of SPEC.md §1: text that enters Portcullis (ids, names, descriptions,
//! usernames, query parameters, cursors, anything in a JSON body) holds no control
//! characters: none of Unicode's `Cc` (U+0000–U+001F, U+007F–U+009F), line breaks and tabs
//! included. The rule is the same on SQLite (which would store a NUL) and PostgreSQL
//! (which refuses one), so both databases answer the same 4xx.
//!
//! It is applied once, where text enters: the API's JSON extractor walks bodies with
//! [`control_fields`], a layer in front of every route checks the decoded path and query
//! ([`first_control`]), and cursors are checked when decoded. Format characters such as
//! right-to-left marks (U+200F) are not control characters and pass.

/// The first control character in `text`, if any.
pub fn first_control(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_control())
}

/// What is wrong with text holding `c`, in words for the caller.
pub fn control_message(c: char) -> String {
    format!(
        "contains the control character U+{:04X}; text may not hold control characters",
        u32::from(c)
    )
}

/// Whether a JSON document's bytes may hold a control character in a string: only through
/// an escape (`\u0000`, `\n` …) or the raw UTF-8 of U+007F–U+009F (raw bytes below 0x20
/// are not valid JSON). A cheap pre-check, so a body without any never pays for the walk.
pub fn json_may_hold_control(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b == b'\\' || b == 0x7F || b == 0xC2)
}

/// Every string (and object key) in `value` that holds a control character: its path in
/// the form serde reports (`statements[0].roles[1]`) and the character.
pub fn control_fields(value: &serde_json::Value) -> Vec<(String, char)> {
    let mut found = Vec::new();
    walk(value, &mut String::new(), &mut found);
    found
}

fn walk(value: &serde_json::Value, path: &mut String, found: &mut Vec<(String, char)>) {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            if let Some(c) = first_control(text) {
                found.push((path.clone(), c));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, found);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if let Some(c) = first_control(key) {
                    found.push((path.clone(), c));
                }
                walk(item, path, found);
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_characters_are_found_and_others_pass() {
        for bad in ["a\0b", "\n", "tab\there", "\u{7f}", "\u{85}", "\u{9f}x"] {
            assert!(
                first_control(bad).is_some(),
                "{bad:?} holds a control character"
            );
        }
        for good in ["plain", "émile", "\u{200f}rtl", "😀", "K\u{212a}", ""] {
            assert_eq!(first_control(good), None, "{good:?} holds none");
        }
    }

    #[test]
    fn the_walk_names_every_field_and_key() {
        let body = json!({
            "name": "a\u{0}b",
            "statements": [{"roles": ["ok", "bad\u{1}"]}],
            "tags": {"k\n": "v", "fine": "x\u{7f}"},
            "count": 3
        });
        let mut fields: Vec<String> = control_fields(&body).into_iter().map(|(f, _)| f).collect();
        fields.sort();
        assert_eq!(
            fields,
            ["name", "statements[0].roles[1]", "tags.fine", "tags.k\n"]
        );
        assert!(control_fields(&json!({"name": "fine", "n": [1, null, true]})).is_empty());
    }

    #[test]
    fn the_pre_check_sees_every_way_json_can_carry_one() {
        for text in ["a\u{0}b", "a\nb", "\u{7f}", "\u{85}"] {
            let bytes = serde_json::to_vec(&json!({ "x": text })).unwrap_or_default();
            assert!(json_may_hold_control(&bytes), "{text:?}");
        }
        assert!(json_may_hold_control(br#"{"x":"\u0000"}"#));
        assert!(!json_may_hold_control(
            br#"{"userId":"ada","permission":"documents:read"}"#
        ));
    }
}

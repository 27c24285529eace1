//! The committed OpenAPI description is exactly what the code generates, and complete.

#[test]
fn committed_spec_matches_the_code() {
    let generated = portcullis::api::openapi_json().unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `cargo run -p portcullis -- openapi` and commit the result"
    );
}

#[test]
fn every_operation_is_documented() {
    let spec: serde_json::Value =
        serde_json::from_str(&portcullis::api::openapi_json().unwrap()).unwrap();
    let mut operation_ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(
                operation_ids.insert(id.to_owned()),
                "operationId {id} is used twice"
            );
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has no summary"
            );
            let responses = operation["responses"].as_object().unwrap();
            if path.starts_with("/v1") {
                for status in ["400", "401", "403", "404"] {
                    let response = &responses[status];
                    assert!(
                        response.is_object(),
                        "{method} {path} does not document {status}"
                    );
                    assert!(
                        response["content"]["application/problem+json"]["example"].is_object(),
                        "{method} {path} {status} has no example"
                    );
                }
            }
        }
    }
    assert!(
        operation_ids.len() >= 35,
        "only {} operations",
        operation_ids.len()
    );
}

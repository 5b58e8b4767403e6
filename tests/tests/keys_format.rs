//! Publishable and secret key cases (../shared/vectors/clerk/keys_format/publishable_keys.json).

mod support;

use clerk_claims_runtime::instance::{InstanceType, PublishableKey, cookie_suffix, secret_key_environment};
use serde_json::Value;

fn cases() -> Value {
    let base = support::vectors();
    let text = std::fs::read_to_string(base.join("clerk/keys_format/publishable_keys.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn instance_type(name: &str) -> InstanceType {
    match name {
        "production" => InstanceType::Production,
        "development" => InstanceType::Development,
        other => panic!("{other}"),
    }
}

#[test]
fn fixture_keys() {
    for case in cases()["fixture_keys"].as_array().unwrap() {
        let pk = PublishableKey::parse(case["publishable_key"].as_str().unwrap()).unwrap();
        assert_eq!(pk.instance_type, instance_type(case["instanceType"].as_str().unwrap()));
        assert_eq!(pk.frontend_api, case["frontendApi"].as_str().unwrap());
        assert_eq!(pk.cookie_suffix(), case["cookie_suffix"].as_str().unwrap());
    }
}

#[test]
fn build_publishable_key() {
    for case in cases()["buildPublishableKey"].as_array().unwrap() {
        assert_eq!(
            PublishableKey::build(case["frontendApi"].as_str().unwrap()),
            case["expected"].as_str().unwrap(),
            "{case}"
        );
    }
}

#[test]
fn parse_publishable_key() {
    for case in cases()["parsePublishableKey"].as_array().unwrap() {
        let parsed = case["key"].as_str().and_then(|k| PublishableKey::parse(k).ok());
        let options = &case["options"];
        match &case["expected"] {
            Value::Null => assert!(parsed.is_none(), "{case}"),
            expected => {
                let pk = parsed.unwrap_or_else(|| panic!("{case}"));
                assert_eq!(
                    pk.instance_type,
                    instance_type(expected["instanceType"].as_str().unwrap()),
                    "{case}"
                );
                let satellite = options["isSatellite"].as_bool().unwrap_or(false);
                let domain = options["domain"].as_str().filter(|_| satellite);
                let fapi = pk.frontend_api_for(options["proxyUrl"].as_str(), domain);
                assert_eq!(fapi, expected["frontendApi"].as_str().unwrap(), "{case}");
            }
        }
    }
}

#[test]
fn is_publishable_key() {
    for case in cases()["isPublishableKey"].as_array().unwrap() {
        assert_eq!(
            PublishableKey::is_valid(case["key"].as_str().unwrap()),
            case["expected"].as_bool().unwrap(),
            "{case}"
        );
    }
}

#[test]
fn secret_key_environments() {
    for case in cases()["secretKeyEnvironment"].as_array().unwrap() {
        let env = secret_key_environment(case["key"].as_str().unwrap());
        assert_eq!(
            env == Some(InstanceType::Development),
            case["isDevelopment"].as_bool().unwrap(),
            "{case}"
        );
        assert_eq!(env == Some(InstanceType::Production), case["isProduction"].as_bool().unwrap(), "{case}");
    }
}

#[test]
fn cookie_suffixes() {
    for case in cases()["getCookieSuffix"].as_array().unwrap() {
        assert_eq!(
            cookie_suffix(case["publishable_key"].as_str().unwrap()),
            case["expected"].as_str().unwrap(),
            "{case}"
        );
    }
}

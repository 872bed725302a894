//! `TenantId` with the `serde` feature (enabled for this test crate), for jobs that carry a
//! tenant.

use tenant_query::TenantId;

#[test]
fn serializes_as_its_inner_value() {
    let tenant: TenantId = TenantId::new(42);
    assert_eq!(serde_json::to_string(&tenant).unwrap(), "42");
    let back: TenantId = serde_json::from_str("42").unwrap();
    assert_eq!(back, tenant);

    let named = TenantId::new("acme".to_owned());
    assert_eq!(serde_json::to_string(&named).unwrap(), "\"acme\"");

    // A job payload carries the tenant explicitly.
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Job {
        tenant: TenantId,
        invoice: i64,
    }
    let job: Job = serde_json::from_str(r#"{"tenant": 7, "invoice": 3}"#).unwrap();
    assert_eq!(
        job,
        Job {
            tenant: TenantId::new(7),
            invoice: 3
        }
    );
    assert!(serde_json::from_str::<TenantId>("\"7\"").is_err());
}

#[test]
fn a_tenant_set_is_a_sequence_and_never_empty() {
    use tenant_query::TenantSet;

    let set = TenantSet::new([TenantId::new(3), TenantId::new(1)]).unwrap();
    assert_eq!(serde_json::to_string(&set).unwrap(), "[1,3]");
    let back: TenantSet = serde_json::from_str("[3,1,3]").unwrap();
    assert_eq!(back, set);
    let empty = serde_json::from_str::<TenantSet>("[]").unwrap_err();
    assert!(empty.to_string().contains("at least one tenant"), "{empty}");
    assert!(serde_json::from_str::<TenantSet>("7").is_err());
}

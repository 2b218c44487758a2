//! How a section of a reading is written in JSON: its value when it was read, or
//! `{"error": {"kind": ..., "message": ...}}` when it was not; never Rust's `{"Ok": ...}` /
//! `{"Err": ...}`. Fields of type [`Section`] use `#[serde(with = "section")]`, optional ones
//! `#[serde(with = "section::optional", default)]` (`null` when the estate has no such part).
//!
//! No section's value is an object whose only key is `error`, so the two shapes never meet.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Section, SectionError};

#[derive(Serialize)]
struct FailedRef<'a> {
    error: &'a SectionError,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Failed {
    error: SectionError,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Repr<T> {
    Failed(Failed),
    Read(T),
}

pub fn serialize<T: Serialize, S: Serializer>(
    section: &Section<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match section {
        Ok(value) => value.serialize(s),
        Err(error) => FailedRef { error }.serialize(s),
    }
}

pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Section<T>, D::Error> {
    Ok(match Repr::<T>::deserialize(d)? {
        Repr::Failed(f) => Err(f.error),
        Repr::Read(value) => Ok(value),
    })
}

/// A section the estate may not have (`null` when it has none).
pub mod optional {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Repr, Section};

    pub fn serialize<T: Serialize, S: Serializer>(
        section: &Option<Section<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match section {
            None => s.serialize_none(),
            Some(section) => super::serialize(section, s),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Section<T>>, D::Error> {
        Ok(Option::<Repr<T>>::deserialize(d)?.map(|r| match r {
            Repr::Failed(f) => Err(f.error),
            Repr::Read(value) => Ok(value),
        }))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::model::{
        DbReading, DbRole, DnsReading, ErrorKind, GlobalReading, Lag, RegionReading, SectionError,
        Side,
    };

    fn region(database: Option<super::Section<DbReading>>) -> RegionReading {
        RegionReading {
            database,
            services: Ok(Vec::new()),
            asgs: Err(SectionError::new(
                ErrorKind::AccessDenied,
                "no autoscaling:Describe",
            )),
            target_groups: Ok(Vec::new()),
            alarms: Err(SectionError::new(ErrorKind::Unreachable, "timed out")),
            replicated: None,
        }
    }

    #[test]
    fn a_section_is_its_value_or_an_error_object() {
        let db = DbReading {
            id: "orders-db".into(),
            role: DbRole::Writer,
            status: "available".into(),
            lag: Lag::NoData,
            endpoint: None,
            engine: None,
            instance_class: None,
            arn: None,
            applied_txn: None,
            pending_resync: false,
            detail: None,
        };
        let reading = region(Some(Ok(db)));
        let v = serde_json::to_value(&reading).expect("json");
        assert_eq!(v["database"]["id"], "orders-db");
        assert_eq!(v["services"], json!([]));
        assert_eq!(
            v["asgs"],
            json!({"error": {"kind": "access_denied", "message": "no autoscaling:Describe"}})
        );
        assert_eq!(v["alarms"]["error"]["kind"], "unreachable");
        let back: RegionReading = serde_json::from_value(v).expect("reads back");
        assert_eq!(back, reading);
    }

    #[test]
    fn an_absent_section_is_null_and_a_failed_one_reads_back() {
        let v = serde_json::to_value(region(None)).expect("json");
        assert_eq!(v["database"], json!(null));
        let failed = region(Some(Err(SectionError::new(ErrorKind::NotFound, "gone"))));
        let v = serde_json::to_value(&failed).expect("json");
        assert_eq!(
            v["database"],
            json!({"error": {"kind": "not_found", "message": "gone"}})
        );
        assert_eq!(
            serde_json::from_value::<RegionReading>(v).expect("back"),
            failed
        );

        let global = GlobalReading {
            health_checks: Ok(Vec::new()),
            dns: Some(Ok(DnsReading::swap(
                "shop.example.com",
                None,
                Some(Side::Primary),
                false,
            ))),
        };
        let v = serde_json::to_value(&global).expect("json");
        assert_eq!(v["dns"]["points_at"], "primary");
        assert_eq!(
            serde_json::from_value::<GlobalReading>(v).expect("back"),
            global
        );
    }
}

//! `json.parse` and `json.stringify`: JSON text through serde_json, with
//! serde's traits implemented for [`Json`] so objects keep their keys in
//! document order.

use super::Json;
use crate::{Error, Map};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// `json.parse(text)`: one JSON value (surrounding whitespace allowed);
/// anything else is an error naming the line and column. Numbers become
/// floats; objects keep their keys in the order written (a repeated key:
/// the last value, at the first position).
pub fn parse(text: &str) -> Result<Json, Error> {
    serde_json::from_str(text).map_err(|e| Error(format!("invalid JSON: {e}")))
}

/// `json.stringify(value)`: compact JSON text. A number that is not finite
/// (`float.NAN`, `float.INFINITY`) has no JSON form and is written `null`;
/// a whole number is written without a fraction (`3`, not `3.0`).
pub fn stringify(value: &Json) -> String {
    // Writing to a `String` cannot fail, and every `Json` is serializable.
    serde_json::to_string(value).unwrap_or_default()
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool { b } => s.serialize_bool(*b),
            Json::Number { n } if !n.is_finite() => s.serialize_unit(),
            Json::Number { n } if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 => s.serialize_i64(*n as i64),
            Json::Number { n } => s.serialize_f64(*n),
            Json::Str { s: text } => s.serialize_str(text),
            Json::Array { items } => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object { fields } => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool { b })
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number { n: n as f64 })
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number { n: n as f64 })
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Json, E> {
        Ok(Json::Number { n })
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
        Ok(Json::Str { s: s.to_string() })
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Json, E> {
        Ok(Json::Str { s })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array { items })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut fields = Map::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            fields.insert(k, v);
        }
        Ok(Json::Object { fields })
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

//! `import json`: the built-in enum `Json` and `json.parse`/`json.stringify`,
//! with serde_json underneath. `Json` is the language's enum
//! `Null | Bool(b: bool) | Number(n: float) | Str(s: str) | Array(items: [Json])
//! | Object(fields: {str: Json})`, shaped as generated enums are (variants
//! with named fields), so generated code matches and builds it like any
//! enum; its `Show` and `Dyn` are written here as the generator would.

use crate::dynval::{Dyn, Migration, Value};
use crate::{Error, Map, Show};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
#[repr(C)]
pub enum Json {
    Null,
    Bool { b: bool },
    Number { n: f64 },
    Str { s: String },
    Array { items: Vec<Json> },
    Object { fields: Map<String, Json> },
}

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

/// As a generated enum shows: `Null`, `Number(1.5)`, `Object({"a": Bool(true)})`.
impl Show for Json {
    fn show(&self, out: &mut String) {
        let mut one = |name: &str, show: &dyn Fn(&mut String)| {
            out.push_str(name);
            out.push('(');
            show(out);
            out.push(')');
        };
        match self {
            Json::Null => out.push_str("Null"),
            Json::Bool { b } => one("Bool", &|o| b.show_nested(o)),
            Json::Number { n } => one("Number", &|o| n.show_nested(o)),
            Json::Str { s } => one("Str", &|o| s.show_nested(o)),
            Json::Array { items } => one("Array", &|o| items.show_nested(o)),
            Json::Object { fields } => one("Object", &|o| fields.show_nested(o)),
        }
    }
}

/// As the generated `Dyn` of an enum: `state` holding a `Json` migrates.
impl Dyn for Json {
    fn to_dyn(&self) -> Value {
        let (variant, fields) = match self {
            Json::Null => ("Null", vec![]),
            Json::Bool { b } => ("Bool", vec![("b".to_string(), b.to_dyn())]),
            Json::Number { n } => ("Number", vec![("n".to_string(), n.to_dyn())]),
            Json::Str { s } => ("Str", vec![("s".to_string(), s.to_dyn())]),
            Json::Array { items } => ("Array", vec![("items".to_string(), items.to_dyn())]),
            Json::Object { fields } => ("Object", vec![("fields".to_string(), fields.to_dyn())]),
        };
        Value::Variant { ty: "Json".to_string(), variant: variant.to_string(), fields }
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Self> {
        let (variant, f) = m.variant(v, "Json")?;
        let out = match variant {
            "Null" => Json::Null,
            "Bool" => m.in_variant("Bool", |m| Json::Bool { b: m.field(f, "b", || false) }),
            "Number" => m.in_variant("Number", |m| Json::Number { n: m.field(f, "n", || 0.0) }),
            "Str" => m.in_variant("Str", |m| Json::Str { s: m.field(f, "s", String::new) }),
            "Array" => m.in_variant("Array", |m| Json::Array { items: m.field(f, "items", Vec::new) }),
            "Object" => m.in_variant("Object", |m| Json::Object { fields: m.field(f, "fields", Map::new) }),
            other => return m.removed_variant(other, "Json"),
        };
        let kept: &[&str] = match &out {
            Json::Null => &[],
            Json::Bool { .. } => &["b"],
            Json::Number { .. } => &["n"],
            Json::Str { .. } => &["s"],
            Json::Array { .. } => &["items"],
            Json::Object { .. } => &["fields"],
        };
        m.drop_others(f, kept);
        Some(out)
    }
    fn dyn_type() -> String {
        "Json".to_string()
    }
    fn dyn_zero() -> Option<Self> {
        Some(Json::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_stringify_round_trip_in_document_order() {
        let text = r#" {"z": [1, 2.5, -3e2, true, null], "a": {"s": "h\u00e9\n"}, "big": 12345678901234567890} "#;
        let v = parse(text).expect("valid");
        assert_eq!(
            v.to_show_string(),
            r#"Object({"z": Array([Number(1.0), Number(2.5), Number(-300.0), Bool(true), Null]), "a": Object({"s": Str("hé\n")}), "big": Number(12345678901234567000)})"#
        );
        assert_eq!(stringify(&v), r#"{"z":[1,2.5,-300,true,null],"a":{"s":"hé\n"},"big":1.2345678901234567e+19}"#);
        assert_eq!(stringify(&Json::Number { n: f64::NAN }), "null");
        let e = parse("[1, 2").expect_err("unclosed");
        assert!(e.0.starts_with("invalid JSON: EOF while parsing a list at line 1 column 5"), "{}", e.0);
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).expect_err("too deep").0.contains("recursion limit"));
    }

    /// `state` holding a `Json` (or a `CommandOutput`) crosses a reload
    /// through the text form unchanged.
    #[test]
    fn migrates_through_the_state_text_form() {
        let v = parse(r#"{"a": [1, "x", null, {"b": false}]}"#).expect("valid");
        let (back, m) = crate::dynval::migrate_text("doc", &v.to_dyn().encode(), || Json::Null);
        assert_eq!(back, v);
        assert!(!m.changed(), "{:?}", m.changes());
        let out = crate::prelude::CommandOutput { status: 2, stdout: "o".into(), stderr: "e".into() };
        let (back, m) =
            crate::dynval::migrate_text("out", &out.to_dyn().encode(), crate::prelude::CommandOutput::default);
        assert_eq!(back, out);
        assert!(!m.changed(), "{:?}", m.changes());
    }
}

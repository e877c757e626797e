//! `import json`: the built-in enum `Json` and `json.parse`/`json.stringify`,
//! with serde_json underneath. `Json` is the language's enum
//! `Null | Bool(b: bool) | Number(n: float) | Str(s: str) | Array(items: [Json])
//! | Object(fields: {str: Json})`, shaped as generated enums are (variants
//! with named fields), so generated code matches and builds it like any
//! enum; its `Show` and `Dyn` are written here as the generator would.

use crate::dynval::{Dyn, Migration, Value};
use crate::{Map, Show};

// The text form needs serde_json: the `json` feature, which generated
// crates enable only for a program that imports `json` (every other
// program's first build skips serde and serde_json).
#[cfg(feature = "json")]
mod text;
#[cfg(feature = "json")]
pub use text::{parse, stringify};

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

#[cfg(all(test, feature = "json"))]
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

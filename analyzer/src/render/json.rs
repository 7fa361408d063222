//! The JSON contract as text: `serde_json`'s pretty printer over the model, so keys come in
//! struct field order and the output is exactly what `docs/schema/analysis.schema.json`
//! describes. It does not sort or filter anything: the analyzer hands over sorted lists.

use crate::model::Analysis;

pub(super) fn render(analysis: &Analysis) -> String {
    // Cannot fail: the model has no maps with non-string keys and no custom `Serialize` that
    // returns errors. (A non-finite `f64` would be written as `null`; the analyzer never makes
    // one, and the schema test would catch it.)
    let mut text =
        serde_json::to_string_pretty(analysis).expect("the analysis model always serializes");
    text.push('\n');
    text
}

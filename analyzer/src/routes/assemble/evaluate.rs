//! Route paths kept as string fields of constant struct values (`crate::ROUTES.auth.login`):
//! follows the constant's [`Value`] through the fns it calls and the fields it selects, each
//! path resolved where it is written, until a string literal. Gives up (`None`) on anything
//! else, after [`MAX_DEPTH`] steps, or on a value that names itself.
//!
//! [`Value`]: super::super::value::Value

use super::super::value::Value;
use super::Assembler;
use super::matching::Kind;
use crate::site::Site;

/// Calls and paths followed for one route path before giving up.
const MAX_DEPTH: usize = 64;

impl Assembler<'_> {
    /// The string that `path.fields[0].fields[1]..` holds, written at `site` in a file.
    pub(super) fn field_text(
        &mut self,
        file_idx: usize,
        site: &Site,
        path: &[String],
        fields: &[String],
    ) -> Option<String> {
        let start = Value::Path {
            path: path.to_vec(),
            site: site.clone(),
        };
        self.evaluate(file_idx, &start, fields.to_vec(), 0)
    }

    /// `value` (read in file `file_idx`) with `fields` selected in turn, as a string.
    fn evaluate(
        &mut self,
        file_idx: usize,
        value: &Value,
        mut fields: Vec<String>,
        depth: usize,
    ) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match value {
            Value::Str(text) => fields.is_empty().then(|| text.clone()),
            Value::Struct(members) => {
                if fields.is_empty() {
                    return None;
                }
                let wanted = fields.remove(0);
                let (_, member) = members.iter().find(|(name, _)| *name == wanted)?;
                self.evaluate(file_idx, member, fields, depth + 1)
            }
            Value::Field(base, name) => {
                fields.insert(0, name.clone());
                self.evaluate(file_idx, base, fields, depth + 1)
            }
            Value::Call { path, site } => self.follow(file_idx, site, path, fields, depth),
            Value::Path { path, site } => {
                let files = self.files;
                if fields.is_empty()
                    && let Some(&(const_file, const_idx)) =
                        self.find(file_idx, site, path, Kind::Const).first()
                {
                    return Some(files[const_file].1.consts[const_idx].value.clone());
                }
                self.follow(file_idx, site, path, fields, depth)
            }
            Value::Unknown => None,
        }
    }

    /// The value of the constant or fn `path` names, with `fields` selected.
    fn follow(
        &mut self,
        file_idx: usize,
        site: &Site,
        path: &[String],
        fields: Vec<String>,
        depth: usize,
    ) -> Option<String> {
        let files = self.files;
        let &(value_file, value_idx) = self.find(file_idx, site, path, Kind::Value).first()?;
        let value = &files[value_file].1.values[value_idx].value;
        self.evaluate(value_file, value, fields, depth + 1)
    }
}

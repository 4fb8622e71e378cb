//! Dated lists: the `dated by` of a case field, and `latest`/`earliest`
//! over a dated list (`latest l in labs where P`, `latest labs`).

use super::error::DatedError;
use super::schema::{Dated, FieldType};
use super::types::Ty;
use super::Checker;
use crate::syntax::ast::{Comprehension, DatedBy, Expr, ExprKind, Field};

impl Checker<'_> {
    /// How a case field declared `dated by` is dated, or `None` (reported)
    /// when the name is not a `date` field of its list's records.
    pub(super) fn dating(&mut self, field: &Field, ty: &FieldType) -> Option<Dated> {
        let dated = field.dated.as_ref()?;
        match self.date_position(dated, ty) {
            Ok(position) => Some(Dated {
                field: position,
                complete: dated.complete,
            }),
            Err(why) => {
                let field = dated.field.clone();
                self.report(DatedError::NotADateField { field, why });
                None
            }
        }
    }

    fn date_position(&self, dated: &DatedBy, ty: &FieldType) -> Result<usize, String> {
        let record = match ty {
            FieldType::List(item) => match &**item {
                FieldType::Record(record) => record,
                _ => return Err("only a list of records is dated".to_string()),
            },
            _ => return Err("only a `list of` records is dated".to_string()),
        };
        let fields = self
            .schema
            .records
            .get(record)
            .map_or(&[][..], Vec::as_slice);
        let name = dated.field.node.as_str();
        match fields.iter().position(|f| f.name == name) {
            Some(position) => match fields.get(position).map(|f| &f.ty) {
                Some(FieldType::Date) => Ok(position),
                _ => Err(format!("`{record}.{name}` is not a `date`")),
            },
            None => Err(format!("`{record}` has no field `{name}`")),
        }
    }

    /// Reports `dated by` on a record's field: only case fields are dated.
    pub(super) fn record_field_not_dated(&mut self, field: &Field) {
        if let Some(dated) = &field.dated {
            let why = "only a case field is dated".to_string();
            let field = dated.field.clone();
            self.report(DatedError::NotADateField { field, why });
        }
    }

    /// How a list read by name is dated: `Some` for a case field declared
    /// `dated by` and not hidden by a bound name.
    pub(super) fn dated_source(&self, source: &Expr) -> Option<Dated> {
        let ExprKind::Name(name) = &source.kind else {
            return None;
        };
        if self.locals.iter().any(|(n, _)| *n == name.node) {
            return None;
        }
        self.schema.field(None, &name.node)?.dated
    }

    /// `latest l in labs where P`: a record of the list, or none.
    pub(super) fn pick(&mut self, latest: bool, comp: &Comprehension) -> Ty {
        let dated = self.dated_source(&comp.source).is_some();
        let (element, source) =
            self.with_binding(comp, |c, element| (element, c.last_source.take()));
        let reported = source.is_none_or(|t| t.has_error());
        if !dated && !reported {
            let read = if latest { "latest" } else { "earliest" };
            let span = comp.source.span;
            self.report(DatedError::NotDated { span, read });
        }
        Ty::Optional(Box::new(element))
    }

    /// `latest labs`, `earliest labs`: the list's latest (earliest) record.
    pub(super) fn pick_all(&mut self, list: &Expr, whole: &Expr) -> Ty {
        let ty = self.expr(list);
        let element = ty.element().unwrap_or(Ty::Error);
        self.narrow(Ty::Optional(Box::new(element)), whole)
    }
}

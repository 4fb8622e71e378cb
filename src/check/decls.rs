//! Declarations: the header, units, types of fields, records and the case schema.

use super::error::{ActionError, NameError, QuantityError, TypeError};
use super::schema::{FieldSchema, FieldType};
use super::types::Ty;
use super::Checker;
use crate::span::Span;
use crate::syntax::ast::*;

/// The lifecycle states a protocol may be in.
pub const STATUSES: &[&str] = &["draft", "review", "approved", "retired"];

impl<'a> Checker<'a> {
    /// Checks one file's items; `root` marks the protocol itself (not an import).
    pub(super) fn file(&mut self, file: &'a File, root: bool) {
        if root {
            self.headers(file);
        }
        for item in &file.items {
            self.item(item);
        }
    }

    /// Types every record and case field once, before any expression reads them.
    pub(super) fn type_fields(&mut self, files: &[&'a File]) {
        for file in files {
            for item in &file.items {
                if let Item::Unit(decl) = item {
                    self.unit_decl(decl);
                }
            }
        }
        let records: Vec<&'a RecordDecl> = self.env.records.values().copied().collect();
        for record in records {
            for field in &record.fields {
                self.record_field_not_dated(field);
                self.record_field_not_sourced(field);
                let lowered = self.field_schema(field);
                let name = record.name.node.clone();
                self.schema.records.entry(name).or_default().push(lowered);
            }
        }
        if let Some(case) = self.env.case {
            for field in &case.fields {
                let mut lowered = self.field_schema(field);
                lowered.dated = self.dating(field, &lowered.ty);
                lowered.from = self.series_source(field, &lowered.ty);
                self.schema.case.push(lowered);
            }
        }
    }

    /// A field with its type lowered once, for the checker and the evaluator.
    fn field_schema(&mut self, field: &Field) -> FieldSchema {
        let mut ty = self.lower(&field.ty);
        if let Some(analyte) = &field.analyte {
            ty = self.with_analyte(ty, analyte);
        }
        FieldSchema {
            name: field.name.node.clone(),
            ty,
            absent_is_none: matches!(
                field.default.as_ref().map(|d| &d.kind),
                Some(ExprKind::NoneLit)
            ),
            dated: None,
            from: None,
            default: field.default.as_ref().and_then(default_json),
        }
    }

    /// The type of a field of a record (`Some(name)`) or of the case (`None`).
    pub(super) fn field_type(&self, record: Option<&str>, field: &str) -> Option<Ty> {
        self.schema.field(record, field).map(|f| f.ty.ty())
    }

    fn item(&mut self, item: &'a Item) {
        match item {
            Item::Record(r) => self.fields(Some(&r.name.node), &r.fields),
            Item::Case(c) => self.case_decl(c),
            Item::Define(d) => {
                self.define_type(&d.name.node, d.name.span);
            }
            Item::Rule(r) => self.rule(r, None),
            Item::Section(s) => self.section(s, None),
            Item::Report(r) => self.report_decl(r),
            Item::Test(t) => self.test(t),
            Item::Regimen(r) => self.regimen_agents(r),
            _ => {}
        }
    }

    fn headers(&mut self, file: &File) {
        let headers: Vec<&Header> = file
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Protocol(h) => Some(h),
                _ => None,
            })
            .collect();
        match headers.as_slice() {
            [] => {
                let span = file.items.first().map(item_span).unwrap_or_default();
                let at = Span {
                    end: span.start,
                    ..span
                };
                self.report(ActionError::NoHeader { at });
            }
            [first, rest @ ..] => {
                self.header(first);
                for extra in rest {
                    let (at, first) = (extra.span, first.span);
                    self.report(ActionError::SecondHeader { at, first });
                }
            }
        }
    }

    fn header(&mut self, header: &Header) {
        let needed = [
            ("version", header.version.is_none(), "version \"2026.1\""),
            ("status", header.status.is_none(), "status draft"),
            (
                "effective",
                header.effective.is_none(),
                "effective 2026-01-01",
            ),
        ];
        for (what, absent, example) in needed {
            if absent {
                let at = header.name.span;
                self.report(ActionError::HeaderWithout { at, what, example });
            }
        }
        if let Some(status) = &header.status {
            if !STATUSES.contains(&status.node.as_str()) {
                let suggestion = self.suggestion(&status.node, STATUSES.iter().copied());
                let status = status.clone();
                self.report(ActionError::UnknownProtocolStatus { status, suggestion });
            }
        }
    }

    fn unit_decl(&mut self, decl: &UnitDecl) {
        let Err((span, error)) = super::unit_decls::declare(&mut self.units, decl) else {
            return;
        };
        let analyte = matches!(decl, UnitDecl::Analyte { .. });
        if analyte && !matches!(error, crate::units::UnitError::Unknown(_)) {
            self.report(QuantityError::AnalyteDeclaration { span, error });
        } else {
            self.report(QuantityError::UnitDeclaration { span, error });
        }
    }

    /// The lowered type of a field declared `analyte NAME`, its unit made
    /// a measure of the analyte (S0350, S0352 when it cannot be).
    fn with_analyte(&mut self, ty: FieldType, name: &crate::span::Name) -> FieldType {
        let Some(analyte) = self.units.analyte(&name.node).cloned() else {
            let suggestion = self.suggestion(&name.node, self.units.analyte_names());
            self.report(QuantityError::UnknownAnalyte {
                span: name.span,
                name: name.node.clone(),
                suggestion,
            });
            return FieldType::Error;
        };
        if matches!(ty, FieldType::Error) {
            return ty;
        }
        match measure_of(ty, &analyte) {
            Ok(ty) => ty,
            Err(unit) => {
                let [a, b] = analyte.dimensions().map(|d| d.describe());
                self.report(QuantityError::AnalyteUnit {
                    span: name.span,
                    name: name.node.clone(),
                    unit,
                    dimensions: [a, b],
                });
                FieldType::Error
            }
        }
    }

    /// The type a written type stands for, reporting unknown names and units.
    pub(super) fn type_of(&mut self, ty: &Type) -> Ty {
        self.lower(ty).ty()
    }

    /// A written type resolved, reporting unknown names and units: the one
    /// lowering of [`Type`].
    fn lower(&mut self, ty: &Type) -> FieldType {
        match &ty.kind {
            TypeKind::Bool => FieldType::Bool,
            TypeKind::Int { unit, range } => self.numeric_type(true, unit, range),
            TypeKind::Number { unit, range } => self.numeric_type(false, unit, range),
            TypeKind::Text => FieldType::Text,
            TypeKind::Date => FieldType::Date,
            TypeKind::Duration => FieldType::Duration,
            TypeKind::Optional(inner) => FieldType::Optional(Box::new(self.lower(inner))),
            TypeKind::List(inner) => FieldType::List(Box::new(self.lower(inner))),
            TypeKind::Set(inner) => FieldType::Set(Box::new(self.lower(inner))),
            TypeKind::Map(k, v) => {
                let key = Box::new(self.lower(k));
                FieldType::Map(key, Box::new(self.lower(v)))
            }
            TypeKind::Series(unit) => match self.table_unit(&unit.node, unit.span) {
                Some(u) => FieldType::Series(u),
                None => FieldType::Error,
            },
            TypeKind::History { record, roles } => self.history_type(record, roles),
            TypeKind::Agent(open) => FieldType::Agent(*open),
            TypeKind::Regimen(open) => FieldType::Regimen(*open),
            TypeKind::Named(name) => self.named_type(name),
        }
    }

    fn numeric_type(
        &mut self,
        int: bool,
        unit: &Option<crate::span::Spanned<String>>,
        range: &Option<RangeBounds>,
    ) -> FieldType {
        if let Some(bounds) = range {
            if bounds.low.node > bounds.high.node {
                self.report(QuantityError::EmptyRange {
                    span: bounds.low.span.to(bounds.high.span),
                    low: bounds.low.node,
                    high: bounds.high.node,
                });
            }
        }
        let range = range.as_ref().map(|r| (r.low.node, r.high.node));
        match unit {
            None => FieldType::Num {
                int,
                unit: None,
                range,
            },
            Some(u) => match self.table_unit(&u.node, u.span) {
                Some(unit) => FieldType::Num {
                    int,
                    unit: Some(unit),
                    range,
                },
                None => FieldType::Error,
            },
        }
    }

    fn named_type(&mut self, name: &crate::span::Name) -> FieldType {
        if self.env.enums.contains_key(&name.node) {
            return FieldType::Enum(name.node.clone());
        }
        if self.env.records.contains_key(&name.node) {
            return FieldType::Record(name.node.clone());
        }
        if let Some((super::env::VocabKind::Class, _)) = self.env.vocab.get(&name.node) {
            return FieldType::Agent(Openness::Closed);
        }
        let candidates: Vec<&str> = self
            .env
            .enums
            .keys()
            .chain(self.env.records.keys())
            .map(String::as_str)
            .chain([
                "bool", "int", "number", "text", "date", "duration", "agent", "regimen",
            ])
            .collect();
        let suggestion = self.suggestion(&name.node, candidates);
        self.report(NameError::UnknownType {
            name: name.clone(),
            suggestion,
            for_history: false,
        });
        FieldType::Error
    }

    fn fields(&mut self, record: Option<&str>, fields: &'a [Field]) {
        for field in fields {
            let ty = self
                .field_type(record, &field.name.node)
                .unwrap_or(Ty::Error);
            if let Some(default) = &field.default {
                self.field_default(field, &ty, default);
            }
        }
    }

    fn field_default(&mut self, field: &Field, ty: &Ty, default: &Expr) {
        let fits = match (&default.kind, ty) {
            (ExprKind::NoneLit, Ty::Optional(_)) => true,
            (ExprKind::NoneLit, _) => false,
            _ => {
                let found = self.expr(default);
                self.compatible(ty.strip_optional(), &found)
            }
        };
        if !fits {
            self.report(TypeError::DefaultDoesNotFit {
                field: field.name.node.clone(),
                ty: ty.clone(),
                span: default.span,
                is_none: matches!(default.kind, ExprKind::NoneLit),
            });
        }
    }

    fn case_decl(&mut self, case: &'a CaseDecl) {
        self.fields(None, &case.fields);
        if let Some(as_of) = &case.as_of {
            let ty = self.expr(as_of);
            if !matches!(ty.strip_optional(), Ty::Date) {
                let (span, found) = (as_of.span, ty);
                self.report(TypeError::AsOfNotADate { span, found });
            }
        }
    }

    fn regimen_agents(&mut self, regimen: &RegimenDecl) {
        for agent in &regimen.agents {
            match self.env.vocab.get(&agent.node) {
                Some((super::env::VocabKind::Agent, _)) => {}
                // `regimen X = X`: X is its own agent.
                _ if agent.node == regimen.name.node && self.env.dual.contains(&agent.node) => {}
                _ => self.unknown_vocab(agent, "agent", &[super::env::VocabKind::Agent]),
            }
        }
        if let Some(modality) = &regimen.modality {
            if !MODALITIES.contains(&modality.node.as_str()) {
                let suggestion = self.suggestion(&modality.node, MODALITIES.iter().copied());
                self.report(NameError::UnknownModality {
                    name: modality.clone(),
                    suggestion,
                    modalities: MODALITIES,
                });
            }
        }
    }
}

/// The treatment modalities a regimen may have.
pub const MODALITIES: &[&str] = &[
    "radiotherapy",
    "surgery",
    "transplant",
    "cell-therapy",
    "supportive",
    "trial",
    "observation",
    "ablation",
    "systemic",
];

/// A number or series type (under any `?`) whose unit measures `analyte`;
/// else the unit it has, if any.
fn measure_of(ty: FieldType, analyte: &crate::units::Analyte) -> Result<FieldType, Option<String>> {
    let measured = |unit: crate::units::Unit| {
        unit.of_analyte(analyte)
            .ok_or_else(|| Some(unit.spelling().to_string()))
    };
    match ty {
        FieldType::Optional(inner) => {
            Ok(FieldType::Optional(Box::new(measure_of(*inner, analyte)?)))
        }
        FieldType::Num {
            int,
            unit: Some(unit),
            range,
        } => Ok(FieldType::Num {
            int,
            unit: Some(measured(unit)?),
            range,
        }),
        FieldType::Series(unit) => Ok(FieldType::Series(measured(unit)?)),
        _ => Err(None),
    }
}

/// The span of any item.
pub fn item_span(item: &Item) -> Span {
    match item {
        Item::Protocol(h) => h.span,
        Item::Import(i) => i.span,
        Item::Agent(a) => a.span,
        Item::Regimen(r) => r.span,
        Item::Enum(e) => e.span,
        Item::Reasons(r) => r.span,
        Item::Record(r) => r.span,
        Item::Case(c) => c.span,
        Item::Unit(decl) => super::unit_decls::span(decl),
        Item::Define(d) => d.span,
        Item::Rule(r) => r.span,
        Item::Section(s) => s.span,
        Item::Report(r) => r.span,
        Item::Test(t) => t.span,
    }
}

/// A field's literal default as the JSON a case would give for the key
/// (`none` is not one: it is `absent_is_none`).
fn default_json(default: &Expr) -> Option<serde_json::Value> {
    match &default.kind {
        ExprKind::Bool(b) => Some(serde_json::Value::Bool(*b)),
        ExprKind::Number { value, .. } => serde_json::from_str(&value.to_string()).ok(),
        ExprKind::Text(text) => Some(serde_json::Value::String(text.clone())),
        ExprKind::Date(d) => Some(serde_json::Value::String(format!(
            "{:04}-{:02}-{:02}",
            d.year, d.month, d.day
        ))),
        _ => None,
    }
}

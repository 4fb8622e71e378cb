//! The built-in functions (`round`, `floor`, `ceil`, `abs`, `log10`, `ln`,
//! `exp`), the power `a ^ b`, a whole number read as a duration
//! (`(2 * k) months`) and `months from A to B`.
//!
//! A call `f(a)` names a define when one of that name exists (so a protocol
//! that defines its own `round` keeps it), else a built-in function.

use super::error::FunctionError;
use super::ir::Function;
use super::types::{Ty, UnitTy};
use super::Checker;
use crate::span::{Name, Spanned};
use crate::syntax::ast::{Expr, ExprKind};
use rust_decimal::prelude::ToPrimitive;

/// The most decimal places `round`, `floor` and `ceil` take: a decimal's.
const MAX_PLACES: u32 = 28;

/// The function a call of a built-in names, with its decimal places: `None`
/// for any other name, or for places that are not a literal whole number.
pub fn function_of(name: &str, args: &[Expr]) -> Option<Function> {
    let places = || args.get(1).map_or(Some(0), literal_places);
    Some(match name {
        "round" => Function::Round(places()?),
        "floor" => Function::Floor(places()?),
        "ceil" => Function::Ceil(places()?),
        "abs" => Function::Abs,
        "log10" => Function::Log10,
        "ln" => Function::Ln,
        "exp" => Function::Exp,
        _ => return None,
    })
}

/// How many arguments a built-in takes (least, most), `None` for a name that
/// is not one.
fn arity(name: &str) -> Option<(usize, usize, &'static str)> {
    match name {
        "round" | "floor" | "ceil" => Some((1, 2, "1 or 2")),
        "abs" | "log10" | "ln" | "exp" => Some((1, 1, "1")),
        _ => None,
    }
}

/// Decimal places written as a literal whole number from 0 to 28.
fn literal_places(e: &Expr) -> Option<u32> {
    match &e.kind {
        ExprKind::Number { value, unit: None } if value.scale() == 0 => {
            value.to_u32().filter(|n| *n <= MAX_PLACES)
        }
        ExprKind::Group(inner) => literal_places(inner),
        _ => None,
    }
}

impl Checker<'_> {
    /// The type of a call of a built-in function, or `None` when `name`
    /// names none (the caller reports the unknown name).
    pub(super) fn builtin_call(&mut self, name: &Name, args: &[Expr]) -> Option<Ty> {
        let (least, most, takes) = arity(&name.node)?;
        let (Some(x), true) = (args.first(), (least..=most).contains(&args.len())) else {
            for arg in args {
                self.expr(arg);
            }
            let (span, name, given) = (name.span, name.node.clone(), args.len());
            self.report(FunctionError::ArgumentCount {
                span,
                name,
                takes,
                given,
            });
            return Some(Ty::Error);
        };
        let places = args.get(1).map(|p| self.places(&name.node, p));
        let Some((int, unit)) = self.number_argument(&name.node, x) else {
            return Some(Ty::Error);
        };
        Some(match function_of(&name.node, args) {
            Some(Function::Log10 | Function::Ln | Function::Exp) => {
                match self.plain(&name.node, x, &unit) {
                    Some(()) => Ty::Num { int: false, unit },
                    None => Ty::Error,
                }
            }
            Some(Function::Abs) => Ty::Num { int, unit },
            _ => Ty::Num {
                int: int || places.flatten() == Some(0) || places.is_none(),
                unit,
            },
        })
    }

    /// The argument of a function: a number, with its unit.
    fn number_argument(&mut self, name: &str, x: &Expr) -> Option<(bool, Option<UnitTy>)> {
        let ty = self.expr(x);
        match self.value(ty, x) {
            Ty::Num { int, unit } => Some((int, unit)),
            found => {
                let (span, name) = (x.span, name.to_string());
                self.report(FunctionError::NotANumber { span, name, found });
                None
            }
        }
    }

    /// The decimal places of `round(x, N)`: checked, and `None` unless a literal.
    fn places(&mut self, name: &str, p: &Expr) -> Option<u32> {
        self.expr(p);
        let places = literal_places(p);
        if places.is_none() {
            let (span, name) = (p.span, name.to_string());
            self.report(FunctionError::Places { span, name });
        }
        places
    }

    /// Refuses a unit where only a plain number may be (S0344).
    fn plain(&mut self, what: &str, at: &Expr, unit: &Option<UnitTy>) -> Option<()> {
        let Some(u) = unit else { return Some(()) };
        self.report(FunctionError::UnitNotAllowed {
            span: at.span,
            what: what.to_string(),
            unit: u.spelling.clone(),
        });
        None
    }

    /// `a ^ b`: two numbers without units; an int when both are ints and the
    /// exponent a literal that is not negative.
    pub(super) fn power(&mut self, l: &Expr, r: &Expr) -> Ty {
        let base = self.power_operand(l);
        let exponent = self.power_operand(r);
        let (Some(base_int), Some(_)) = (base, exponent) else {
            return Ty::Error;
        };
        let whole = matches!(&r.kind, ExprKind::Number { value, .. } if value.scale() == 0);
        Ty::Num {
            int: base_int && whole,
            unit: None,
        }
    }

    fn power_operand(&mut self, e: &Expr) -> Option<bool> {
        let ty = self.expr(e);
        match self.value(ty, e) {
            Ty::Num { int, unit } => self.plain("^", e, &unit).map(|()| int),
            Ty::Error => None,
            found => {
                let want = Ty::Num {
                    int: false,
                    unit: None,
                };
                self.mismatch(e.span, &want, &found, "`^` takes two numbers");
                None
            }
        }
    }

    /// `(2 * k) months`: a number without a unit, as a duration (whose
    /// fractional part a date drops, as for any duration).
    pub(super) fn as_duration(&mut self, inner: &Expr, unit: &Spanned<String>) -> Ty {
        let ty = self.expr(inner);
        match self.value(ty, inner) {
            Ty::Num { int, unit: None } => Ty::Num {
                int,
                unit: self.named_unit(&unit.node),
            },
            Ty::Error => Ty::Error,
            found => {
                let want = Ty::Num {
                    int: true,
                    unit: None,
                };
                let context = format!("`E {}` needs a number without a unit", unit.node);
                self.mismatch(inner.span, &want, &found, &context);
                Ty::Error
            }
        }
    }

    /// `months from A to B`: completed calendar months between two dates.
    pub(super) fn months_from(&mut self, from: &Expr, to: &Expr) -> Ty {
        for e in [from, to] {
            let t = self.expr(e);
            let t = self.value(t, e);
            if !matches!(t, Ty::Date | Ty::Error) {
                let context = "`months from A to B` counts completed months between two dates";
                self.mismatch(e.span, &Ty::Date, &t, context);
            }
        }
        Ty::Num {
            int: true,
            unit: self.named_unit("months"),
        }
    }
}

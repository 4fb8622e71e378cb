//! `unit` and `analyte` declarations entered into a unit table: the one
//! reading of them, for the checker and for the compiled protocol.

use crate::span::Span;
use crate::syntax::ast::{AnalyteBridge, UnitDecl};
use crate::units::{Bridge, UnitError, UnitTable};
use rust_decimal::Decimal;

/// Enters one declaration into `table`; on failure, where and why.
pub fn declare(table: &mut UnitTable, decl: &UnitDecl) -> Result<(), (Span, UnitError)> {
    match decl {
        UnitDecl::Alias { spelling, unit, .. } => table
            .declare_alias(&spelling.node, &unit.node)
            .map_err(|e| (unit.span, e)),
        UnitDecl::Base {
            unit, scale: None, ..
        } => table.declare_base(&unit.node).map_err(|e| (unit.span, e)),
        UnitDecl::Base {
            unit,
            scale: Some((factor, of)),
            ..
        } => table
            .declare_scaled(&unit.node, factor.node, &of.node)
            .map_err(|e| (of.span, e)),
        UnitDecl::Analyte { name, bridge, span } => {
            let resolved = resolve(table, bridge)?;
            table
                .declare_analyte(&name.node, resolved)
                .map_err(|e| (*span, e))
        }
    }
}

/// The bridge with its units looked up in `table`.
fn resolve(table: &UnitTable, bridge: &AnalyteBridge) -> Result<Bridge, (Span, UnitError)> {
    let lookup = |unit: &crate::span::Spanned<String>| {
        table
            .lookup(&unit.node)
            .ok_or_else(|| (unit.span, UnitError::Unknown(unit.node.clone())))
    };
    Ok(Bridge {
        from: lookup(&bridge.from.1)?,
        from_amount: bridge.from.0.node,
        to_amount: bridge.to.0.node,
        to: lookup(&bridge.to.1)?,
        offset: bridge.offset.as_ref().map_or(Decimal::ZERO, |o| o.node),
    })
}

/// The span of a unit declaration.
pub fn span(decl: &UnitDecl) -> Span {
    match decl {
        UnitDecl::Alias { span, .. }
        | UnitDecl::Base { span, .. }
        | UnitDecl::Analyte { span, .. } => *span,
    }
}

//! A statement the engine accepted, prepared for binding: its SQL, its bind plan, and the
//! order in which a binder that receives the user's arguments one by one can add each slot.

use std::sync::Arc;

use tenant_query_core::{BindSlot, Rewritten};

/// Whether a statement is filtered to a tenant or deliberately runs across tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `Engine::tenant_query`: rewritten by the engine.
    Tenant,
    /// `Engine::unscoped_query`: checked, not rewritten.
    Unscoped,
}

/// An accepted statement, ready to bind.
///
/// The user binds arguments in placeholder order (0, 1, …); the statement needs them in plan
/// order, where the tenant may come first or between them, and where an argument may come
/// again (MySQL's positional `?`). A *stage* is what can be added once so many arguments are
/// known: stage 0 when the query is created (tenants before any argument), stage `k + 1` right
/// after argument `k`. Only an argument needed by a later stage is kept after its own.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The SQL to run, shared by every query built from it.
    pub(crate) sql: Arc<str>,
    /// The bind plan's slots, in bind order.
    pub(crate) slots: Vec<BindSlot>,
    /// How many arguments the user binds.
    pub(crate) user_args: usize,
    /// `stage_ends[s]`: the end of stage `s` in `slots`; stages are consecutive.
    stage_ends: Vec<usize>,
    /// `kept[k]`: argument `k` is bound again after its own stage.
    kept: Vec<bool>,
}

impl Prepared {
    /// Prepares the engine's result, or says which of the engine's invariants it breaks.
    pub(crate) fn new(rewritten: Rewritten, scope: Scope) -> Result<Prepared, String> {
        let plan = rewritten.bind_plan;
        let user_args = plan.user_args;
        if let Some(slot) = plan
            .slots
            .iter()
            .find(|s| matches!(s, BindSlot::Arg(i) if *i >= user_args))
        {
            return Err(format!("bind slot {slot:?} is out of range"));
        }
        if scope == Scope::Unscoped && plan.slots.contains(&BindSlot::Tenant) {
            return Err("an unscoped statement has a tenant placeholder".to_owned());
        }
        let stage_ends = stage_ends(&plan.slots, user_args);
        let kept = (0..user_args)
            .map(|k| plan.slots[stage_ends[k + 1]..].contains(&BindSlot::Arg(k)))
            .collect();
        Ok(Prepared {
            sql: rewritten.sql.into(),
            slots: plan.slots,
            user_args,
            stage_ends,
            kept,
        })
    }

    /// The slots added at `stage` (0 at creation, `k + 1` after argument `k`).
    pub(crate) fn stage(&self, stage: usize) -> &[BindSlot] {
        let start = match stage {
            0 => 0,
            s => self.stage_ends[s - 1],
        };
        &self.slots[start..self.stage_ends[stage]]
    }

    /// Whether argument `k` must be kept for a later stage.
    pub(crate) fn keeps(&self, k: usize) -> bool {
        self.kept[k]
    }

    /// Whether the plan binds the user's arguments first, each once and in order, then only
    /// tenants: then arguments already encoded in placeholder order (a `QueryBuilder`'s) can
    /// stay as they are.
    pub(crate) fn appends_tenants_only(&self) -> bool {
        let (args, rest) = self.slots.split_at(self.user_args.min(self.slots.len()));
        args.iter()
            .enumerate()
            .all(|(i, slot)| *slot == BindSlot::Arg(i))
            && args.len() == self.user_args
            && rest.iter().all(|slot| *slot == BindSlot::Tenant)
    }

    /// The slots after the user's arguments, when [`appends_tenants_only`](Self::appends_tenants_only).
    pub(crate) fn after_arguments(&self) -> &[BindSlot] {
        &self.slots[self.user_args.min(self.slots.len())..]
    }
}

/// Where each stage ends: stage `s` adds every slot up to the first that needs an argument
/// not known after `s` arguments. Every argument index is below `user_args`, so the last
/// stage ends at the end.
fn stage_ends(slots: &[BindSlot], user_args: usize) -> Vec<usize> {
    let mut ends = Vec::with_capacity(user_args + 1);
    let mut cursor = 0;
    for known in 0..=user_args {
        while cursor < slots.len()
            && match slots[cursor] {
                BindSlot::Tenant => true,
                BindSlot::Arg(j) => j < known,
            }
        {
            cursor += 1;
        }
        ends.push(cursor);
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenant_query_core::BindPlan;
    use BindSlot::{Arg, Tenant};

    fn prepared(slots: Vec<BindSlot>, user_args: usize) -> Prepared {
        let rewritten = Rewritten {
            sql: "SQL".to_owned(),
            bind_plan: BindPlan { slots, user_args },
            scoped_tables: Vec::new(),
            tables: Vec::new(),
        };
        Prepared::new(rewritten, Scope::Tenant).expect("a consistent plan")
    }

    #[test]
    fn numbered_plans_add_each_argument_as_it_comes_and_the_tenant_last() {
        let p = prepared(vec![Arg(0), Arg(1), Tenant], 2);
        assert_eq!(p.stage(0), []);
        assert_eq!(p.stage(1), [Arg(0)]);
        assert_eq!(p.stage(2), [Arg(1), Tenant]);
        assert!(!p.keeps(0) && !p.keeps(1));
        assert!(p.appends_tenants_only());
        assert_eq!(p.after_arguments(), [Tenant]);
    }

    #[test]
    fn positional_plans_add_the_tenant_between_arguments() {
        let p = prepared(vec![Tenant, Arg(0), Tenant, Arg(1)], 2);
        assert_eq!(p.stage(0), [Tenant]);
        assert_eq!(p.stage(1), [Arg(0), Tenant]);
        assert_eq!(p.stage(2), [Arg(1)]);
        assert!(!p.appends_tenants_only());
    }

    #[test]
    fn an_argument_bound_again_later_is_kept() {
        let p = prepared(vec![Arg(0), Arg(1), Tenant, Arg(0)], 2);
        assert_eq!(p.stage(1), [Arg(0)]);
        assert_eq!(p.stage(2), [Arg(1), Tenant, Arg(0)]);
        assert!(p.keeps(0));
        assert!(!p.keeps(1));
        assert!(!p.appends_tenants_only());
    }

    #[test]
    fn a_statement_without_arguments_binds_everything_at_creation() {
        let p = prepared(vec![Tenant, Tenant], 0);
        assert_eq!(p.stage(0), [Tenant, Tenant]);
        assert!(p.appends_tenants_only());
    }

    #[test]
    fn plans_that_break_the_engines_invariants_are_refused() {
        let rewritten = |slots| Rewritten {
            sql: String::new(),
            bind_plan: BindPlan {
                slots,
                user_args: 1,
            },
            scoped_tables: Vec::new(),
            tables: Vec::new(),
        };
        assert!(Prepared::new(rewritten(vec![Arg(1)]), Scope::Tenant).is_err());
        assert!(Prepared::new(rewritten(vec![Arg(0), Tenant]), Scope::Unscoped).is_err());
        assert!(Prepared::new(rewritten(vec![Arg(0), Tenant]), Scope::Tenant).is_ok());
    }
}

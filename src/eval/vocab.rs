//! The protocol's vocabulary by id: every agent, regimen, class and tag is a
//! [`VocabId`], and what an option "has" (itself, its agents, its own and
//! its agents' classes and tags) is a bitset, so matching a case value
//! against a name is a bit test, not a walk over names.

use crate::check::ir::VocabId;
use crate::check::{fold, has_words, words};
use std::collections::HashMap;

/// A set of vocabulary ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSet(Vec<u64>);

impl IdSet {
    /// Adds `id`.
    pub fn insert(&mut self, id: VocabId) {
        let (word, bit) = (id.0 as usize / 64, id.0 % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        if let Some(w) = self.0.get_mut(word) {
            *w |= 1 << bit;
        }
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: VocabId) -> bool {
        let (word, bit) = (id.0 as usize / 64, id.0 % 64);
        self.0.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    /// The ids in the set, in id order.
    fn ids(&self) -> impl Iterator<Item = VocabId> + '_ {
        self.0.iter().enumerate().flat_map(|(word, bits)| {
            (0..64u32)
                .filter(move |bit| bits & (1 << bit) != 0)
                .filter_map(move |bit| u32::try_from(word * 64).ok().map(|w| VocabId(w + bit)))
        })
    }

    fn union(&mut self, other: &IdSet) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (w, o) in self.0.iter_mut().zip(&other.0) {
            *w |= o;
        }
    }
}

/// What a declared name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An agent.
    Agent,
    /// A regimen.
    Regimen,
    /// A class or tag (of agents or regimens).
    Group,
}

/// Agents, regimens, classes and tags by id, with the spellings case data
/// may use.
#[derive(Debug, Default)]
pub struct Vocabulary {
    names: Vec<String>,
    kinds: Vec<Kind>,
    ids: HashMap<String, VocabId>,
    /// Folded spelling (name or alias) → declared agent or regimen.
    spellings: HashMap<String, VocabId>,
    /// Word aliases: each one's words, and the agent or regimen it names.
    patterns: Vec<(Vec<String>, VocabId)>,
    /// A regimen's agents, distinct, in id order (empty for others).
    agents: Vec<Vec<VocabId>>,
    /// Each id's own classes and tags.
    groups: Vec<Vec<VocabId>>,
    /// Everything each id has: itself, its agents, its own and its agents'
    /// classes and tags.
    has: Vec<IdSet>,
    /// The same, as lists in id order.
    has_listed: Vec<Vec<VocabId>>,
    /// Names used as a tag somewhere.
    tags: IdSet,
    /// Each class or tag → the regimens that have it as their own, in name order.
    regimens_by_group: HashMap<VocabId, Vec<VocabId>>,
    /// Names declared both as an agent and as the single-agent regimen of
    /// that agent (`agent X` with `regimen X = X`, or `regimen X = X` alone).
    dual: IdSet,
    /// The options: every regimen, and every agent some action names as one.
    options: IdSet,
}

/// One agent or regimen as declared.
pub struct Declared<'a> {
    /// Its name.
    pub name: &'a str,
    /// Agent or regimen.
    pub kind: Kind,
    /// Its aliases.
    pub aliases: Vec<&'a str>,
    /// Its word aliases (`alias word "harvoni"`).
    pub words: Vec<&'a str>,
    /// A regimen's agents.
    pub agents: Vec<&'a str>,
    /// Its classes.
    pub classes: Vec<&'a str>,
    /// Its tags.
    pub tags: Vec<&'a str>,
}

impl Vocabulary {
    /// The vocabulary of these declarations (agents and regimens first, in
    /// order, then their classes and tags).
    pub fn build(declared: &[Declared<'_>]) -> Vocabulary {
        let mut v = Vocabulary::default();
        for d in declared {
            v.intern(d.name, d.kind);
        }
        for d in declared {
            for group in d.classes.iter().chain(&d.tags) {
                v.intern(group, Kind::Group);
            }
            for agent in &d.agents {
                v.intern(agent, Kind::Agent);
            }
        }
        v.agents = vec![Vec::new(); v.names.len()];
        v.groups = vec![Vec::new(); v.names.len()];
        for d in declared {
            v.declare(d);
        }
        v.mark_dual(declared);
        v.has = (0..v.names.len()).map(|_| IdSet::default()).collect();
        for id in v.all() {
            let mut set = IdSet::default();
            set.insert(id);
            v.add_groups(&mut set, id);
            for agent in v.agents_of(id).to_vec() {
                set.insert(agent);
                v.add_groups(&mut set, agent);
            }
            if let Some(slot) = v.has.get_mut(id.0 as usize) {
                slot.union(&set);
            }
        }
        v.has_listed = v.has.iter().map(|set| set.ids().collect()).collect();
        v.index_groups();
        v
    }

    fn intern(&mut self, name: &str, kind: Kind) -> VocabId {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = VocabId(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.names.push(name.to_string());
        self.kinds.push(kind);
        self.ids.insert(name.to_string(), id);
        id
    }

    fn declare(&mut self, d: &Declared<'_>) {
        let Some(id) = self.id(d.name) else { return };
        let index = id.0 as usize;
        let mut agents: Vec<VocabId> = d.agents.iter().filter_map(|a| self.id(a)).collect();
        agents.sort();
        agents.dedup();
        let groups: Vec<VocabId> = d
            .classes
            .iter()
            .chain(&d.tags)
            .filter_map(|g| self.id(g))
            .collect();
        for tag in &d.tags {
            if let Some(t) = self.id(tag) {
                self.tags.insert(t);
            }
        }
        // A dual name is declared twice (as an agent and as a regimen):
        // what each declaration gives is kept.
        if let Some(slot) = self.agents.get_mut(index) {
            slot.extend(agents);
            slot.sort();
            slot.dedup();
        }
        if let Some(slot) = self.groups.get_mut(index) {
            for group in groups {
                if !slot.contains(&group) {
                    slot.push(group);
                }
            }
        }
        self.spellings.insert(fold(d.name), id);
        for alias in &d.aliases {
            self.spellings.entry(fold(alias)).or_insert(id);
        }
        for pattern in &d.words {
            self.patterns.push((words(pattern), id));
        }
    }

    /// Marks the names that are both an agent and their own single-agent
    /// regimen: a regimen made of itself alone, or a name declared as both.
    fn mark_dual(&mut self, declared: &[Declared<'_>]) {
        for d in declared {
            let Some(id) = self.id(d.name) else { continue };
            let own = d.kind == Kind::Regimen && d.agents == [d.name];
            let twice = self.kind(id) != Some(d.kind);
            if own || twice {
                self.dual.insert(id);
                if let Some(kind) = self.kinds.get_mut(id.0 as usize) {
                    *kind = Kind::Regimen;
                }
            }
        }
    }

    /// Records the options: the agents (and regimens) that some
    /// `recommend`, `consider`, `components`, `each` or `fallback` names.
    pub fn mark_options(&mut self, named: impl IntoIterator<Item = VocabId>) {
        for id in named {
            if self.is_agent(id) || self.is_regimen(id) {
                self.options.insert(id);
            }
        }
    }

    /// Whether `id` is an option: a regimen, or an agent some action names.
    pub fn is_option(&self, id: VocabId) -> bool {
        self.is_regimen(id) || self.options.contains(id)
    }

    /// Whether a line matches `id` as a regimen only (the line is the
    /// regimen), not through its agents: true for a regimen that is not
    /// also an agent.
    pub fn matches_as_regimen(&self, id: VocabId) -> bool {
        self.is_regimen(id) && !self.dual.contains(id)
    }

    fn add_groups(&self, set: &mut IdSet, id: VocabId) {
        for group in self.groups.get(id.0 as usize).into_iter().flatten() {
            set.insert(*group);
        }
    }

    /// Indexes the regimens by their own classes and tags.
    fn index_groups(&mut self) {
        let mut regimens: Vec<VocabId> = self.all().filter(|id| self.is_regimen(*id)).collect();
        regimens.sort_by(|a, b| self.name(*a).cmp(self.name(*b)));
        for regimen in regimens {
            let groups = self
                .groups
                .get(regimen.0 as usize)
                .cloned()
                .unwrap_or_default();
            for group in groups {
                self.regimens_by_group
                    .entry(group)
                    .or_default()
                    .push(regimen);
            }
        }
    }

    fn all(&self) -> impl Iterator<Item = VocabId> {
        (0..self.names.len()).map(|i| VocabId(u32::try_from(i).unwrap_or(u32::MAX)))
    }

    /// The id of a declared name.
    pub fn id(&self, name: &str) -> Option<VocabId> {
        self.ids.get(name).copied()
    }

    /// Every declared name with its id.
    pub fn ids(&self) -> &HashMap<String, VocabId> {
        &self.ids
    }

    /// The declared name of an id.
    pub fn name(&self, id: VocabId) -> &str {
        self.names.get(id.0 as usize).map_or("", String::as_str)
    }

    fn kind(&self, id: VocabId) -> Option<Kind> {
        self.kinds.get(id.0 as usize).copied()
    }

    /// Whether `id` is a regimen (a dual name is both).
    pub fn is_regimen(&self, id: VocabId) -> bool {
        self.kind(id) == Some(Kind::Regimen)
    }

    /// Whether `id` is an agent (a dual name is both).
    pub fn is_agent(&self, id: VocabId) -> bool {
        self.kind(id) == Some(Kind::Agent) || self.dual.contains(id)
    }

    /// Whether option `option` is X, contains agent X, or has X as a class
    /// or tag (its own or one of its agents').
    pub fn has(&self, option: VocabId, x: VocabId) -> bool {
        self.has
            .get(option.0 as usize)
            .is_some_and(|s| s.contains(x))
    }

    /// A regimen's agents, distinct (empty for anything else).
    pub fn agents_of(&self, regimen: VocabId) -> &[VocabId] {
        self.agents
            .get(regimen.0 as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// The regimens with `group` as one of their own classes or tags.
    pub fn regimens_in(&self, group: VocabId) -> &[VocabId] {
        self.regimens_by_group
            .get(&group)
            .map_or(&[], Vec::as_slice)
    }

    /// The agent or regimen a folded spelling names.
    pub fn spelled(&self, folded: &str) -> Option<VocabId> {
        self.spellings.get(folded).copied()
    }

    /// The agents and regimens, in declaration order and each once, whose
    /// word aliases occur in `text` as consecutive words.
    pub fn named_by_words(&self, text: &str) -> Vec<VocabId> {
        if self.patterns.is_empty() {
            return Vec::new();
        }
        let text = words(text);
        let mut named: Vec<VocabId> = Vec::new();
        for (pattern, id) in &self.patterns {
            if !named.contains(id) && has_words(&text, pattern) {
                named.push(*id);
            }
        }
        named
    }

    /// Every folded spelling with what it names.
    pub fn spellings(&self) -> impl Iterator<Item = (&str, VocabId)> {
        self.spellings.iter().map(|(s, id)| (s.as_str(), *id))
    }

    /// `agents with tag T`, `regimens with class C`, `members of C` (agents
    /// and regimens): those whose own groups include `group`, in name order.
    /// A name is a class or a tag, never both (the checker's S0107), so one
    /// list of groups answers `with class`, `with tag` and `members of`.
    pub fn with_group(&self, group: VocabId, agents: bool, regimens: bool) -> Vec<VocabId> {
        let mut found: Vec<VocabId> = self
            .all()
            .filter(|id| agents && self.is_agent(*id) || regimens && self.is_regimen(*id))
            .filter(|id| {
                self.groups
                    .get(id.0 as usize)
                    .is_some_and(|g| g.contains(&group))
            })
            .collect();
        found.sort_by(|a, b| self.name(*a).cmp(self.name(*b)));
        found
    }
}

impl super::outcome::Vocabulary for Vocabulary {
    fn name(&self, id: VocabId) -> &str {
        Vocabulary::name(self, id)
    }

    fn is_regimen(&self, id: VocabId) -> bool {
        Vocabulary::is_regimen(self, id)
    }

    fn is_agent(&self, id: VocabId) -> bool {
        Vocabulary::is_agent(self, id)
    }

    fn is_tag(&self, id: VocabId) -> bool {
        self.tags.contains(id)
    }

    fn has(&self, option: VocabId, x: VocabId) -> bool {
        Vocabulary::has(self, option, x)
    }

    fn everything_in(&self, option: VocabId) -> &[VocabId] {
        self.has_listed
            .get(option.0 as usize)
            .map_or(&[], Vec::as_slice)
    }

    fn is_option(&self, id: VocabId) -> bool {
        Vocabulary::is_option(self, id)
    }
}

#[cfg(test)]
mod tests {
    use super::{Declared, Kind, Vocabulary};

    fn declared<'a>(
        name: &'a str,
        kind: Kind,
        agents: Vec<&'a str>,
        classes: Vec<&'a str>,
    ) -> Declared<'a> {
        Declared {
            name,
            kind,
            aliases: Vec::new(),
            words: Vec::new(),
            agents,
            classes,
            tags: Vec::new(),
        }
    }

    #[test]
    fn an_agent_and_its_own_regimen_are_one_dual_option() {
        let vocab = Vocabulary::build(&[
            declared("glofitamab", Kind::Agent, Vec::new(), vec!["bispecific"]),
            declared("glofitamab", Kind::Regimen, vec!["glofitamab"], Vec::new()),
            declared("mosun", Kind::Regimen, vec!["mosun"], Vec::new()),
            declared("rituximab", Kind::Agent, Vec::new(), Vec::new()),
            declared(
                "R-G",
                Kind::Regimen,
                vec!["rituximab", "glofitamab"],
                Vec::new(),
            ),
        ]);
        let id = |n: &str| vocab.id(n).unwrap_or(super::VocabId(u32::MAX));
        let (glofit, mosun, rg) = (id("glofitamab"), id("mosun"), id("R-G"));
        for dual in [glofit, mosun] {
            assert!(vocab.is_agent(dual) && vocab.is_regimen(dual));
            assert!(!vocab.matches_as_regimen(dual));
            assert_eq!(vocab.agents_of(dual), [dual]);
            assert!(vocab.is_option(dual));
        }
        assert!(vocab.has(glofit, id("bispecific")));
        assert!(vocab.has(rg, glofit));
        assert!(vocab.matches_as_regimen(rg));
        assert!(!vocab.is_option(id("rituximab")));
    }

    /// The list of everything an id has is the set `has` tests, past the
    /// first word of the set (ids from 64 on) too.
    #[test]
    fn everything_an_option_has_is_what_has_answers() {
        use crate::eval::outcome::Vocabulary as _;
        let classes: Vec<String> = (0..70).map(|i| format!("class{i}")).collect();
        let agents: Vec<String> = (0..70).map(|i| format!("agent{i}")).collect();
        let mut all: Vec<Declared<'_>> = agents
            .iter()
            .zip(&classes)
            .map(|(a, c)| declared(a, Kind::Agent, Vec::new(), vec![c.as_str()]))
            .collect();
        all.push(declared(
            "combo",
            Kind::Regimen,
            vec!["agent3", "agent66", "agent69"],
            vec!["class1"],
        ));
        let vocab = Vocabulary::build(&all);
        let ids: Vec<super::VocabId> = vocab.all().collect();
        for option in &ids {
            let listed = vocab.everything_in(*option);
            assert!(listed.windows(2).all(|w| w[0].0 < w[1].0), "{listed:?}");
            for x in &ids {
                assert_eq!(
                    listed.contains(x),
                    vocab.has(*option, *x),
                    "{option:?} {x:?}"
                );
            }
        }
        let combo = vocab.id("combo").unwrap_or(super::VocabId(u32::MAX));
        assert_eq!(
            vocab.everything_in(combo).len(),
            8,
            "itself, 3 agents, 4 classes"
        );
    }

    #[test]
    fn an_agent_is_an_option_once_an_action_names_it() {
        let mut vocab = Vocabulary::build(&[declared(
            "cisplatin",
            Kind::Agent,
            Vec::new(),
            vec!["platinum"],
        )]);
        let cisplatin = vocab.id("cisplatin").unwrap_or(super::VocabId(u32::MAX));
        let platinum = vocab.id("platinum").unwrap_or(super::VocabId(u32::MAX));
        assert!(!vocab.is_option(cisplatin));
        vocab.mark_options([cisplatin, platinum]);
        assert!(vocab.is_option(cisplatin));
        assert!(!vocab.is_option(platinum));
    }
}

//! Decisions: each tenant's [`TenantIndex`], kept current by following the change feed
//! (the `changes` table: what each revision changed), and the checks asked of it.
//!
//! One mechanism keeps an index current: read the changes after its revision and the
//! objects they name, apply them, under the tenant's refresh lock, then swap the new index in. A write runs it
//! after its commit and before it answers, so the next check on this process sees the
//! write; a process started anew builds the index from the objects and then follows the
//! feed the same way. Checks read the index through an atomic pointer and never wait.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tokio::sync::{Mutex, OnceCell};

use super::objects::Kind;
use super::transfer::IMPORT_OPERATION;
use super::{Page, PageRequest, Service, ServiceError, TenantAccess};
use crate::domain::{
    AccessRecord, Action, Group, Issuer, ResourcePattern, Role, Timestamp, User, UserId, now,
};
use crate::engine::{
    Change, Decision, EffectivePermission, Holder, HolderGrant, IndexBuilder, RecordSpec, Standing,
    StatementSpec, TenantIndex,
};
use crate::store::{RecordGrants, RecordGrantsPage, Snapshot, Table, Which};

/// `portcullis_decisions_total` by result (allowed, denied), registered once: not on every
/// check, which would build and hash the labels each time. Made after the recorder is
/// installed (the first check comes after the routes are built, which install it).
static DECISIONS_TOTAL: std::sync::LazyLock<(metrics::Counter, metrics::Counter)> =
    std::sync::LazyLock::new(|| {
        (
            metrics::counter!("portcullis_decisions_total", "result" => "allowed"),
            metrics::counter!("portcullis_decisions_total", "result" => "denied"),
        )
    });

/// Events applied per read of the change feed.
const FEED_BATCH: usize = 1000;
/// Rows per read when an index is built from a snapshot.
const SNAPSHOT_PAGE: usize = 10_000;
/// How long a check naming a `minRevision` this process has not reached may wait.
const MIN_REVISION_WAIT: Duration = Duration::from_secs(2);

/// How often a process in cluster mode polls the change feed of the tenants it serves.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// The tenant named by the next change notification; never, without a listener.
async fn next_notification(
    listener: &mut Option<sqlx::postgres::PgListener>,
) -> Result<String, sqlx::Error> {
    match listener {
        Some(listener) => listener.recv().await.map(|n| n.payload().to_owned()),
        None => std::future::pending().await,
    }
}

/// One tenant's current index and the lock that serialises its refreshes.
#[derive(Debug, Default)]
struct Slot {
    index: OnceCell<Built>,
    refresh: Mutex<()>,
    committed: SharedRead,
}

/// The tenant's committed version, read once for all the checks waiting for it.
///
/// A check may only use a read that started after the check arrived (an older one could
/// miss a commit acknowledged before the check). Reads are taken one at a time; each
/// check notes how many had started when it arrived, and when its turn comes it reuses
/// the last read if that one started later, or else makes a new read. So a burst of checks
/// costs one read, and every check still sees every commit that preceded it.
#[derive(Debug, Default)]
struct SharedRead {
    started: AtomicU64,
    last: Mutex<(u64, Option<(i64, Timestamp)>)>,
}

impl SharedRead {
    async fn get(
        &self,
        store: &crate::store::Store,
        tenant: &str,
    ) -> Result<Option<(i64, Timestamp)>, ServiceError> {
        let arrived_after = self.started.load(Ordering::SeqCst);
        let mut last = self.last.lock().await;
        if last.0 > arrived_after {
            return Ok(last.1);
        }
        let number = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let version = store.tenant_version(tenant).await?;
        *last = (number, version);
        Ok(version)
    }
}

/// An index, and the creation time of the tenant it was built for.
#[derive(Debug)]
struct Built {
    created_at: Timestamp,
    index: Published,
}

/// The indexes a lookup's later pages may still be answered from: the last few replaced.
const RECENT: usize = 64;

/// A tenant's current index, and the [`RECENT`] ones it replaced (kept for the pages of a
/// lookup begun at their revision; persistent maps make them cost only what changed since).
#[derive(Debug)]
struct Published {
    current: ArcSwap<TenantIndex>,
    recent: std::sync::Mutex<std::collections::VecDeque<Arc<TenantIndex>>>,
}

impl Published {
    fn new(index: TenantIndex) -> Self {
        Self {
            current: ArcSwap::from_pointee(index),
            recent: Default::default(),
        }
    }

    fn load(&self) -> Arc<TenantIndex> {
        self.current.load_full()
    }

    /// Publishes the next index. `rebuilt`: it was made anew (after an import), so it
    /// shares nothing with the ones before, and keeping them would hold a second copy of
    /// the tenant: they are let go (a lookup's later page is then answered at the newest).
    fn publish(&self, index: TenantIndex, rebuilt: bool) {
        let replaced = self.current.swap(Arc::new(index));
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if rebuilt {
            recent.clear();
            return;
        }
        recent.push_back(replaced);
        if recent.len() > RECENT {
            recent.pop_front();
        }
    }

    /// The index at exactly `revision`, if it is the current one or a recent one.
    fn at(&self, revision: i64) -> Option<Arc<TenantIndex>> {
        let current = self.load();
        if current.revision() == revision {
            return Some(current);
        }
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent
            .iter()
            .rev()
            .find(|i| i.revision() == revision)
            .cloned()
    }
}

/// The indexes of the tenants this process has answered for.
#[derive(Debug, Default)]
pub struct Indexes {
    slots: RwLock<HashMap<String, Arc<Slot>>>,
    /// Set once the indexes of the tenants that existed at start are built.
    loaded_all: std::sync::atomic::AtomicBool,
}

impl Indexes {
    fn slot(&self, tenant: &str) -> Arc<Slot> {
        if let Some(slot) = self
            .slots
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(tenant)
        {
            return slot.clone();
        }
        let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
        slots.entry(tenant.to_owned()).or_default().clone()
    }

    /// Whether the tenant's index is built or being built.
    fn has_slot(&self, tenant: &str) -> bool {
        self.slots
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(tenant)
    }

    fn loaded(&self, tenant: &str) -> Option<Arc<Slot>> {
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        slots
            .get(tenant)
            .filter(|slot| slot.index.initialized())
            .cloned()
    }

    /// The tenants with a built index, with the creation time each was built for.
    fn loaded_tenants(&self) -> Vec<(String, Timestamp)> {
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        slots
            .iter()
            .filter_map(|(tenant, slot)| {
                slot.index
                    .get()
                    .map(|built| (tenant.clone(), built.created_at))
            })
            .collect()
    }

    /// The size and revision of every built index, for `/metrics`.
    fn stats(&self) -> Vec<EngineStats> {
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        slots
            .iter()
            .filter_map(|(tenant, slot)| {
                let index = slot.index.get()?.index.load();
                Some(EngineStats {
                    tenant: tenant.clone(),
                    records: index.record_count(),
                    revision: index.revision(),
                })
            })
            .collect()
    }

    fn forget(&self, tenant: &str) {
        self.slots
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant);
    }
}

/// One tenant's decision index, as `/metrics` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineStats {
    /// The tenant.
    pub tenant: String,
    /// Access records in its index.
    pub records: usize,
    /// The revision the index is at.
    pub revision: i64,
}

/// How fresh an answer must be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Consistency {
    /// At the newest committed revision (the default). On a single node the local index is
    /// that revision already; with `cluster` set, the committed revision is read first.
    #[default]
    FullyConsistent,
    /// Whatever revision the serving process has now: no database read, ever.
    MinimizeLatency,
}

/// One question: may `user` do `permission` on `resource`? Both concrete.
#[derive(Debug, Clone)]
pub struct CheckQuery {
    /// The user.
    pub user: UserId,
    /// The resource, without `*`.
    pub resource: ResourcePattern,
    /// The permission, without `*`.
    pub permission: Action,
    /// Whether to explain the answer.
    pub explain: bool,
}

/// A lookup's cursor: the revision its page was answered at, and the last key of the page.
fn lookup_cursor(page: &PageRequest) -> Result<(Option<i64>, Option<String>), ServiceError> {
    let Some(cursor) = page.after()? else {
        return Ok((None, None));
    };
    let (revision, key) = cursor
        .split_once(':')
        .and_then(|(revision, key)| Some((revision.parse::<i64>().ok()?, key.to_owned())))
        .ok_or_else(|| ServiceError::BadRequest {
            code: "invalid_cursor",
            detail: "the cursor is not one this server issued; start again without it".into(),
        })?;
    Ok((Some(revision), Some(key)))
}

/// A lookup's page of up to `limit + 1` items found at `revision`, with a cursor naming
/// that revision and the last item's key.
fn lookup_page<T: Clone>(
    found: Vec<T>,
    limit: usize,
    revision: i64,
    key: impl Fn(&T) -> &str,
) -> Result<(Page<T>, i64), ServiceError> {
    let page = Page::from_rows(
        found,
        limit,
        |item| format!("{revision}:{}", key(item)),
        |item| Ok(item.clone()),
    )?;
    Ok((page, revision))
}

/// A page of a tenant's snapshot, on its way to the index builder.
enum SnapshotPage {
    Roles(Vec<Role>),
    Groups(Vec<Group>),
    Records(RecordGrantsPage),
    /// The users whose standing is not the default (all of them: they are few).
    Standing(Vec<(String, bool, Option<Timestamp>)>),
    /// The trusted issuers (at most 50).
    Issuers(Vec<Issuer>),
}

/// Sends every object of a kind in the snapshot, page by page; `false` when the builder
/// stopped listening.
async fn send_all<K: Kind>(
    snapshot: &mut Snapshot,
    pages: &tokio::sync::mpsc::Sender<SnapshotPage>,
    wrap: fn(Vec<K>) -> SnapshotPage,
) -> Result<bool, ServiceError> {
    let mut after: Option<String> = None;
    loop {
        let objects = snapshot
            .read::<K>(Which::After(after.as_deref(), SNAPSHOT_PAGE))
            .await?;
        let last = (objects.len() == SNAPSHOT_PAGE)
            .then(|| objects.last().and_then(|o| o.id().map(str::to_owned)))
            .flatten();
        if pages.send(wrap(objects)).await.is_err() {
            return Ok(false);
        }
        match last {
            Some(last) => after = Some(last),
            None => return Ok(true),
        }
    }
}

/// Sends what the engine reads of every access record in the snapshot, page by page;
/// `false` when the builder stopped listening.
async fn send_records(
    snapshot: &mut Snapshot,
    pages: &tokio::sync::mpsc::Sender<SnapshotPage>,
) -> Result<bool, ServiceError> {
    let mut after: Option<String> = None;
    loop {
        let records = snapshot
            .record_grants(Which::After(after.as_deref(), SNAPSHOT_PAGE))
            .await?;
        let last = (records.len() == SNAPSHOT_PAGE)
            .then(|| records.last_id().map(str::to_owned))
            .flatten();
        if pages.send(SnapshotPage::Records(records)).await.is_err() {
            return Ok(false);
        }
        match last {
            Some(last) => after = Some(last),
            None => return Ok(true),
        }
    }
}

/// The engine's view of a record as the snapshot read it.
fn spec_of(record: RecordGrants<'_>) -> RecordSpec<&str> {
    RecordSpec {
        disabled: record.disabled,
        expires_at: record.expires_at,
        users: record.users,
        groups: record.groups,
        statements: record
            .statements
            .into_iter()
            .map(|(roles, resources)| StatementSpec { roles, resources })
            .collect(),
    }
}

fn id_of<K: Kind>(object: &K) -> &str {
    object.id().unwrap_or_default()
}

impl Service {
    /// Builds a tenant's index from one snapshot of its rows (its revision and its roles,
    /// groups, records, users of other than default standing and issuers, read in one transaction, page by page, one pass per kind, into
    /// an [`IndexBuilder`]). `None` when the tenant does not exist.
    async fn snapshot_index(
        &self,
        tenant: &str,
    ) -> Result<Option<(TenantIndex, Timestamp)>, ServiceError> {
        let started = Instant::now();
        let Some(mut snapshot) = self.store.snapshot(tenant).await? else {
            return Ok(None);
        };
        let (revision, created_at) = (snapshot.revision, snapshot.created_at);
        // The database reads the next page while this task compiles the last one.
        let (pages, mut received) = tokio::sync::mpsc::channel::<SnapshotPage>(2);
        let reader = tokio::spawn(async move {
            let complete = send_all::<Role>(&mut snapshot, &pages, SnapshotPage::Roles).await?
                && send_all::<Group>(&mut snapshot, &pages, SnapshotPage::Groups).await?
                && send_records(&mut snapshot, &pages).await?
                && pages
                    .send(SnapshotPage::Standing(snapshot.users_standing().await?))
                    .await
                    .is_ok()
                && send_all::<Issuer>(&mut snapshot, &pages, SnapshotPage::Issuers).await?;
            if complete {
                snapshot.finish().await?;
            }
            Ok::<_, ServiceError>(())
        });
        // Compiling is CPU work of seconds for a large tenant: a blocking thread does it,
        // not a worker of the runtime that answers checks.
        let builder = tokio::task::spawn_blocking(move || {
            let mut builder = IndexBuilder::new();
            while let Some(page) = received.blocking_recv() {
                match page {
                    SnapshotPage::Roles(roles) => {
                        for role in roles {
                            let id = id_of(&role).to_owned();
                            builder.role(&id, role);
                        }
                    }
                    SnapshotPage::Groups(groups) => {
                        for group in groups {
                            let id = id_of(&group).to_owned();
                            builder.group(&id, group);
                        }
                    }
                    SnapshotPage::Records(records) => {
                        for record in records.records() {
                            builder.record(record.id, &spec_of(record));
                        }
                    }
                    SnapshotPage::Standing(users) => {
                        for (user, suspended, tokens_not_before) in users {
                            let standing = Standing {
                                suspended,
                                tokens_not_before,
                            };
                            builder.standing(&user, standing);
                        }
                    }
                    SnapshotPage::Issuers(issuers) => {
                        for issuer in issuers {
                            let id = id_of(&issuer).to_owned();
                            builder.issuer(&id, issuer);
                        }
                    }
                }
            }
            builder.finish(revision)
        });
        reader
            .await
            .map_err(|e| ServiceError::corrupt("the snapshot read", e))??;
        let index = builder
            .await
            .map_err(|e| ServiceError::corrupt("the index build", e))?;
        tracing::info!(
            tenant,
            revision,
            records = index.record_count(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "decision index built"
        );
        Ok(Some((index, created_at)))
    }

    /// Builds a tenant's index (see [`Service::snapshot_index`]), then follows the feed
    /// from the snapshot's revision.
    async fn build_index(&self, tenant: &str) -> Result<Built, ServiceError> {
        let (index, created_at) = self
            .snapshot_index(tenant)
            .await?
            .ok_or_else(|| ServiceError::not_found("tenant", tenant))?;
        let index = Published::new(index);
        self.follow(tenant, &index).await?;
        Ok(Built { created_at, index })
    }

    /// Builds the index of every tenant that has none yet, one tenant at a time, then
    /// marks the decision indexes loaded (`/readyz` waits for that). A tenant that cannot
    /// be built is logged and left to be built on its first check.
    pub async fn load_indexes(self: Arc<Self>) {
        let started = Instant::now();
        let mut after: Option<String> = None;
        loop {
            let tenants = match self.store.list_tenants(after.as_deref(), 1000).await {
                Ok(tenants) => tenants,
                Err(error) => {
                    tracing::error!(%error, "cannot list the tenants to load their decision indexes");
                    return;
                }
            };
            let Some(last) = tenants.last() else { break };
            after = Some(last.tenant_id.clone());
            for tenant in tenants {
                let slot = self.indexes.slot(&tenant.tenant_id);
                if let Err(error) = self.built(&slot, &tenant.tenant_id).await {
                    tracing::warn!(%error, tenant = tenant.tenant_id, "could not build a decision index");
                }
            }
        }
        self.indexes.loaded_all.store(true, Ordering::SeqCst);
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "decision indexes loaded"
        );
    }

    /// Whether [`Service::load_indexes`] has finished.
    pub fn indexes_loaded(&self) -> bool {
        self.indexes.loaded_all.load(Ordering::SeqCst)
    }

    /// Applies the changes after the index's revision and swaps the result in. The
    /// changes and the objects they name are read in one transaction: each object changed
    /// is read once, as of that read, and applied; an import rebuilds the index from a
    /// snapshot. When more than [`FEED_BATCH`] changes wait, they are taken a batch at a
    /// time (an object read in an early batch may then be newer than the batch's revision,
    /// which a later batch reaches).
    async fn follow(&self, tenant: &str, published: &Published) -> Result<(), ServiceError> {
        loop {
            let mut index = TenantIndex::clone(&published.load());
            let Some(mut read) = self.store.snapshot(tenant).await? else {
                return Ok(());
            };
            if read.revision <= index.revision() {
                read.finish().await?;
                return Ok(());
            }
            let changes = read.changes_after(index.revision(), FEED_BATCH).await?;
            let Some(last) = changes.last().map(|c| c.revision) else {
                read.finish().await?;
                return Ok(());
            };
            let complete = changes.len() < FEED_BATCH;
            if changes.iter().any(|c| c.operation == IMPORT_OPERATION) {
                // An import changes more than a feed entry names: the index is made anew
                // from a snapshot (at this revision or later) and followed on.
                read.finish().await?;
                let (index, _) = self
                    .snapshot_index(tenant)
                    .await?
                    .ok_or_else(|| ServiceError::not_found("tenant", tenant))?;
                published.publish(index, true);
                continue;
            }
            let mut seen = HashSet::new();
            for change in &changes {
                let id = change.id.as_str();
                if !seen.insert((change.kind.as_str(), id)) {
                    continue;
                }
                let change = match change.kind.as_str() {
                    Role::KIND => {
                        Change::Role(id.to_owned(), read.read(Which::One(id)).await?.pop())
                    }
                    Group::KIND => {
                        Change::Group(id.to_owned(), read.read(Which::One(id)).await?.pop())
                    }
                    User::KIND => {
                        Change::User(id.to_owned(), read.read(Which::One(id)).await?.pop())
                    }
                    Issuer::KIND => {
                        Change::Issuer(id.to_owned(), read.read(Which::One(id)).await?.pop())
                    }
                    AccessRecord::KIND => {
                        let page = read.record_grants(Which::One(id)).await?;
                        let record = page.records().next().map(spec_of);
                        index.apply_record(last, id, record.as_ref());
                        continue;
                    }
                    _ => continue,
                };
                index.apply(last, change);
            }
            read.finish().await?;
            // Moves the index to `last` even when no change touched it.
            index.apply(last, Change::Other);
            published.publish(index, false);
            if complete {
                return Ok(());
            }
        }
    }

    /// The size and revision of each decision index this process holds.
    pub fn engine_stats(&self) -> Vec<EngineStats> {
        self.indexes.stats()
    }

    /// The slot's index, built on first use.
    async fn built<'a>(&self, slot: &'a Slot, tenant: &str) -> Result<&'a Built, ServiceError> {
        slot.index
            .get_or_try_init(|| self.build_index(tenant))
            .await
    }

    /// The tenant's index, built on first use, and the tenant creation time it is for.
    async fn index(&self, tenant: &str) -> Result<(Arc<TenantIndex>, Timestamp), ServiceError> {
        let slot = self.indexes.slot(tenant);
        let built = self.built(&slot, tenant).await?;
        Ok((built.index.load(), built.created_at))
    }

    /// Brings the tenant's index up to the newest committed revision.
    async fn catch_up(&self, tenant: &str) -> Result<Arc<TenantIndex>, ServiceError> {
        let slot = self.indexes.slot(tenant);
        let built = self.built(&slot, tenant).await?;
        let _serialised = slot.refresh.lock().await;
        self.follow(tenant, &built.index).await?;
        Ok(built.index.load())
    }

    /// Brings a tenant's index, if this process has one or is building one, up to the
    /// newest committed revision. Run after every committed write, before it is
    /// acknowledged, so the index reflects the write. An index being built is waited for:
    /// its snapshot and the feed it followed may both predate this write (the build's last
    /// read of the feed can come just before the write commits), and skipping it then
    /// would leave the write out of an index published a moment later. With no index and
    /// no build, there is nothing to refresh: a build started later reads the write. If
    /// the index cannot be refreshed it is dropped, so the next check rebuilds it from the
    /// database, where the write is.
    pub(super) async fn refresh_if_loaded(&self, tenant: &str) {
        if !self.indexes.has_slot(tenant) {
            return;
        }
        if let Err(error) = self.catch_up(tenant).await {
            tracing::warn!(%error, tenant, "could not refresh the decision index; it will be rebuilt");
            self.indexes.forget(tenant);
        }
    }

    /// In cluster mode, keeps the index of every tenant this process serves following the
    /// change feed, so that `minimizeLatency` answers lag by little: woken at once by the
    /// `NOTIFY` that every commit sends on PostgreSQL, and polling every 250 ms as the
    /// fallback (and on SQLite). A tenant deleted, or deleted and created again, through
    /// another process is dropped here at the next poll. Runs until the task is aborted.
    pub async fn follow_changes(self: Arc<Self>) {
        let mut listener = match self.store.listen_for_changes().await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for change notifications; polling only");
                None
            }
        };
        let mut tick = tokio::time::interval(POLL_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    for (tenant, created_at) in self.indexes.loaded_tenants() {
                        match self.store.tenant_version(&tenant).await {
                            Ok(Some((_, created))) if created == created_at => self.refresh_if_loaded(&tenant).await,
                            Ok(_) => self.indexes.forget(&tenant),
                            Err(error) => tracing::warn!(%error, "cannot poll the change feed"),
                        }
                    }
                }
                notification = next_notification(&mut listener) => match notification {
                    Ok(tenant) => self.refresh_if_loaded(&tenant).await,
                    Err(error) => {
                        tracing::warn!(%error, "change notifications stopped; polling only");
                        listener = None;
                    }
                },
            }
        }
    }

    /// Whether this process alone serves the tenant and holds its index, so the tenant is
    /// known to exist without a read (a deleted tenant's index is dropped at once).
    pub(super) fn serves_tenant(&self, tenant: &str) -> bool {
        !self.cluster && self.indexes.loaded(tenant).is_some()
    }

    /// Forgets a deleted tenant's index.
    pub(super) fn forget_index(&self, tenant: &str) {
        self.indexes.forget(tenant);
    }

    /// The tenant's index, never older than `min_revision` (nor, with `cluster` set and full
    /// consistency, than the newest committed revision).
    pub(super) async fn fresh_index(
        &self,
        tenant: &str,
        min_revision: Option<i64>,
        consistency: Consistency,
    ) -> Result<Arc<TenantIndex>, ServiceError> {
        let (mut index, created_at) = self.index(tenant).await?;
        if self.cluster && consistency == Consistency::FullyConsistent {
            // Another process may have committed a write this one has not applied yet, or
            // deleted the tenant (and perhaps created another with the same id since).
            let slot = self.indexes.slot(tenant);
            match slot.committed.get(&self.store, tenant).await? {
                Some((_, created)) if created != created_at => {
                    self.indexes.forget(tenant);
                    index = self.index(tenant).await?.0;
                }
                Some((committed, _)) if committed > index.revision() => {
                    index = self.catch_up(tenant).await?
                }
                Some(_) => {}
                None => {
                    self.indexes.forget(tenant);
                    return Err(ServiceError::not_found("tenant", tenant));
                }
            }
        }
        if let Some(wanted) = min_revision.filter(|wanted| *wanted > index.revision()) {
            // A revision the database never committed is the caller's mistake (SPEC §1):
            // said at once, with no wait. Only one it has committed is waited for.
            let committed = self
                .store
                .tenant_version(tenant)
                .await?
                .ok_or_else(|| ServiceError::not_found("tenant", tenant))?
                .0;
            if committed < wanted {
                return Err(ServiceError::BadRequest {
                    code: "revision_not_reached",
                    detail: format!(
                        "`minRevision` {wanted} has not been committed: the tenant's newest revision is {committed}"
                    ),
                });
            }
            let started = Instant::now();
            while index.revision() < wanted {
                index = self.catch_up(tenant).await?;
                if index.revision() >= wanted {
                    break;
                }
                if started.elapsed() >= MIN_REVISION_WAIT {
                    return Err(ServiceError::Unavailable(format!(
                        "revision {wanted} is committed but this replica has only reached {}; retry",
                        index.revision()
                    )));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        Ok(index)
    }

    /// Answers checks, all on one index (see [`Service::fresh_index`]). Returns the
    /// decisions in order and the revision they were computed at.
    pub async fn check(
        &self,
        access: &TenantAccess,
        queries: &[CheckQuery],
        min_revision: Option<i64>,
        consistency: Consistency,
    ) -> Result<(Vec<Decision>, i64), ServiceError> {
        let index = self
            .fresh_index(access.tenant.as_str(), min_revision, consistency)
            .await?;
        let at = now();
        let decisions: Vec<Decision> = queries
            .iter()
            .map(|q| {
                index.check(
                    q.user.as_str(),
                    q.resource.as_str(),
                    q.permission.as_str(),
                    at,
                    q.explain,
                )
            })
            .collect();
        let allowed = decisions.iter().filter(|d| d.allowed).count() as u64;
        let (allowed_total, denied_total) = &*DECISIONS_TOTAL;
        allowed_total.increment(allowed);
        denied_total.increment(decisions.len() as u64 - allowed);
        Ok((decisions, index.revision()))
    }

    /// What `user` may do on `resource`, at the revision returned.
    pub async fn effective_permissions(
        &self,
        access: &TenantAccess,
        user: &UserId,
        resource: &ResourcePattern,
        min_revision: Option<i64>,
    ) -> Result<(Vec<EffectivePermission>, i64), ServiceError> {
        let index = self
            .fresh_index(access.tenant.as_str(), min_revision, Consistency::default())
            .await?;
        Ok((
            index.effective_permissions(user.as_str(), resource.as_str(), now()),
            index.revision(),
        ))
    }

    /// The index a lookup page is answered from: the one at the revision of the page
    /// before (its cursor's), while this process still holds it and it is not older than
    /// `min_revision`; else the freshest (see [`Service::fresh_index`]).
    async fn lookup_index(
        &self,
        access: &TenantAccess,
        at: Option<i64>,
        min_revision: Option<i64>,
    ) -> Result<Arc<TenantIndex>, ServiceError> {
        let tenant = access.tenant.as_str();
        let pinned = at
            .filter(|at| min_revision.is_none_or(|min| *at >= min))
            .and_then(|at| {
                let slot = self.indexes.loaded(tenant)?;
                slot.index.get()?.index.at(at)
            });
        match pinned {
            Some(index) => Ok(index),
            None => {
                self.fresh_index(tenant, min_revision, Consistency::default())
                    .await
            }
        }
    }

    /// A page of the resource patterns on which `user` holds `permission`.
    pub async fn resources_for(
        &self,
        access: &TenantAccess,
        user: &UserId,
        permission: &Action,
        under: Option<&ResourcePattern>,
        page: &PageRequest,
        min_revision: Option<i64>,
    ) -> Result<(Page<(String, Vec<HolderGrant>)>, i64), ServiceError> {
        let (at, after) = lookup_cursor(page)?;
        let index = self.lookup_index(access, at, min_revision).await?;
        let found = index.resources_for(
            user.as_str(),
            permission.as_str(),
            under.map(|u| u.as_str()),
            now(),
            after.as_deref(),
            page.limit + 1,
        );
        lookup_page(found, page.limit, index.revision(), |(r, _)| r)
    }

    /// A page of the concrete resources one segment below `parent` (`/record/101` below
    /// `/record`) on which `user` holds `permission`: each one that a record names, and,
    /// when the user holds the permission on all of them (a grant on `parent`, on
    /// `parent/*`, or on something above that covers them), each resource registered
    /// there. Those are the only resource ids Portcullis knows: an application that wants
    /// its resources found through a grant on all of them registers them. The decisions
    /// are the index's at the revision returned; the registered resources are read as they
    /// stand (registering a resource changes no decision).
    pub async fn children_for(
        &self,
        access: &TenantAccess,
        user: &UserId,
        permission: &Action,
        parent: &ResourcePattern,
        page: &PageRequest,
        min_revision: Option<i64>,
    ) -> Result<(Page<String>, i64), ServiceError> {
        let (at, after) = lookup_cursor(page)?;
        let index = self.lookup_index(access, at, min_revision).await?;
        let (user, permission, parent) = (user.as_str(), permission.as_str(), parent.as_str());
        let prefix = format!("{parent}/");
        let is_child = |uri: &str| {
            uri.strip_prefix(&prefix)
                .is_some_and(|rest| !rest.contains('/') && rest != "*")
        };
        let wanted = page.limit + 1;
        let at_time = now();

        // The ones records name, in order: the user's patterns below `parent` that are
        // concrete children, read until a page of them is found or none are left.
        let mut named = Vec::new();
        let mut from = after.clone();
        loop {
            let found = index.resources_for(
                user,
                permission,
                Some(parent),
                at_time,
                from.as_deref(),
                wanted,
            );
            let done = found.len() < wanted;
            from = found.last().map(|(pattern, _)| pattern.clone());
            named.extend(
                found
                    .into_iter()
                    .map(|(pattern, _)| pattern)
                    .filter(|p| is_child(p)),
            );
            if done || named.len() >= wanted {
                break;
            }
        }

        // `parent` and `parent/*` sort before every child (`*` is below the segment
        // alphabet), so the first two patterns say whether the user holds all children.
        let all = format!("{parent}/*");
        let holds_all = index
            .resources_for(user, permission, Some(parent), at_time, None, 2)
            .iter()
            .any(|(p, _)| p == parent || *p == all);
        let mut registered = Vec::new();
        if holds_all {
            let mut from = after.filter(|a| *a > prefix).unwrap_or(prefix.clone());
            // Just past every URI that starts with `parent/` (`0` follows `/`).
            let before = format!("{parent}0");
            loop {
                let found = self
                    .store
                    .registered_resources_between(access.tenant.as_str(), &from, &before, wanted)
                    .await?;
                let done = found.len() < wanted;
                if let Some(last) = found.last() {
                    from.clone_from(last);
                }
                registered.extend(found.into_iter().filter(|uri| is_child(uri)));
                if done || registered.len() >= wanted {
                    break;
                }
            }
        }

        let mut found: Vec<String> = named.into_iter().chain(registered).collect();
        found.sort_unstable();
        found.dedup();
        found.truncate(wanted);
        lookup_page(found, page.limit, index.revision(), |r| r)
    }

    /// A page of the actions the tenant's roles name that start with `prefix`, each with
    /// the roles naming it, at the revision returned.
    pub async fn actions_in_use(
        &self,
        access: &TenantAccess,
        prefix: &str,
        page: &PageRequest,
    ) -> Result<(Page<(String, Vec<String>)>, i64), ServiceError> {
        let after = page.after()?;
        let index = self
            .fresh_index(access.tenant.as_str(), None, Consistency::default())
            .await?;
        let found = index.actions_in_use(prefix, after.as_deref(), page.limit + 1);
        let page = Page::from_rows(
            found,
            page.limit,
            |(action, _)| action.clone(),
            |item| Ok(item.clone()),
        )?;
        Ok((page, index.revision()))
    }

    /// A page of the users who hold `permission` on `resource`, with the records that give it.
    pub async fn holders(
        &self,
        access: &TenantAccess,
        resource: &ResourcePattern,
        permission: &Action,
        page: &PageRequest,
        min_revision: Option<i64>,
    ) -> Result<(Page<Holder>, i64), ServiceError> {
        let (at, after) = lookup_cursor(page)?;
        let index = self.lookup_index(access, at, min_revision).await?;
        let found = index.holders(
            resource.as_str(),
            permission.as_str(),
            now(),
            after.as_deref(),
            page.limit + 1,
        );
        lookup_page(found, page.limit, index.revision(), |h| &h.user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_indexes_are_kept_up_to_a_bound_and_let_go_after_a_rebuild() {
        let published = Published::new(TenantIndex::new(1));
        published.publish(TenantIndex::new(2), false);
        assert_eq!(published.at(1).unwrap().revision(), 1);
        assert_eq!(published.at(2).unwrap().revision(), 2);
        published.publish(TenantIndex::new(3), true);
        assert!(published.at(1).is_none() && published.at(2).is_none());
        assert_eq!(published.at(3).unwrap().revision(), 3);
        for revision in 4..100 {
            published.publish(TenantIndex::new(revision), false);
        }
        // The 64 replaced last: 35 to 98, and the current one.
        assert!(published.at(34).is_none());
        assert_eq!(published.at(35).unwrap().revision(), 35);
        assert_eq!(published.at(99).unwrap().revision(), 99);
    }
}

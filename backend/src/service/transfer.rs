//! Bulk import and export of a tenant (SPEC §2): its roles, groups, resource configs, users
//! and access records as one NDJSON document, one object per line.
//!
//! The document starts with a header line, `{"kind":"portcullis-export","version":1}`,
//! then one line per object: `{"kind":"role", …the object as the API shows it}` (its id
//! field, content, `createdAt`, `updatedAt`; no per-object `revision`, which belongs to
//! the tenant the object lives in). Export writes the kinds in the order role, group,
//! resource, user, record, each in id order, all read in one transaction: one revision,
//! stated by the `Portcullis-Revision` header. So export → import into an empty tenant →
//! export gives the same document, byte for byte.
//!
//! Import takes the same document (the header is optional; lines may come in any order;
//! blank lines are skipped). It is one write: every line is validated as the single write
//! of its kind would be, ids are required (an import names what it moves), references to
//! roles and groups must exist in the tenant or in the import, and users named by records
//! and groups are registered. Objects are created or replaced (upsert); objects the
//! document does not name are left as they are. `createdAt`/`updatedAt` are kept when the
//! line gives them. All lines are checked before anything is kept: the first 100 problems
//! are reported as a 422 with fields `lines[N].field` (N counts from 1), and nothing
//! changes. A valid import commits as one revision with one audit event
//! (`tenant.import`, its `after` counting the objects written per kind). API keys are
//! neither exported nor imported: their secrets exist only as hashes.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use super::error::FieldError;
use super::objects::{Kind, corrupt, missing_named};
use super::{Actor, Service, ServiceError};
use crate::domain::{AccessRecord, Group, ResourceConfig, Role, TenantId, Timestamp, User};
use crate::store::{AuditRecord, Snapshot, Stamp, Stamped, Table, Which, WriteTx};

/// The audit action of an import.
pub(crate) const IMPORT_ACTION: &str = "tenant.import";
/// An import's operation in the change feed; the decision index is rebuilt when it
/// follows one.
pub(crate) const IMPORT_OPERATION: &str = "import";
/// The `kind` of the header line.
pub const HEADER_KIND: &str = "portcullis-export";
/// The format version written and read.
pub const FORMAT_VERSION: u64 = 1;
/// The largest import body: about five million records of the everyday shape. Larger
/// tenants move in several imports.
pub const IMPORT_MAX_BYTES: usize = 1 << 30;
/// Problems reported at most.
const MAX_ERRORS: usize = 100;
/// Objects buffered per kind before they are written.
const FLUSH_AT: usize = 2_000;
/// Objects read per page of an export.
const EXPORT_PAGE: usize = 2_000;

/// One kind's objects waiting to be written, and the users they name.
struct Pending<K> {
    objects: Vec<Stamped<K>>,
    users: Vec<String>,
}

impl<K> Default for Pending<K> {
    fn default() -> Self {
        Self {
            objects: Vec::new(),
            users: Vec::new(),
        }
    }
}

/// One kind's batch, on its way to the writer.
enum Batch {
    Role(Pending<Role>),
    Group(Pending<Group>),
    Resource(Pending<ResourceConfig>),
    User(Pending<User>),
    Record(Pending<AccessRecord>),
}

/// The objects of every kind waiting to be written.
#[derive(Default)]
struct Pendings {
    role: Pending<Role>,
    group: Pending<Group>,
    resource: Pending<ResourceConfig>,
    user: Pending<User>,
    record: Pending<AccessRecord>,
}

/// A kind an import takes: where its pending objects wait, and their batch.
trait Imported: Kind {
    fn pending(all: &mut Pendings) -> &mut Pending<Self>;
    fn batch(pending: Pending<Self>) -> Batch;
}

macro_rules! imported {
    ($($kind:ty => $field:ident, $variant:ident;)*) => {$(
        impl Imported for $kind {
            fn pending(all: &mut Pendings) -> &mut Pending<Self> {
                &mut all.$field
            }
            fn batch(pending: Pending<Self>) -> Batch {
                Batch::$variant(pending)
            }
        }
    )*};
}

imported! {
    Role => role, Role;
    Group => group, Group;
    ResourceConfig => resource, Resource;
    User => user, User;
    AccessRecord => record, Record;
}

/// The task that owns an import's transaction and writes its batches while the next lines
/// are parsed; it hands the transaction back when its queue is closed.
struct Writer {
    queue: Option<tokio::sync::mpsc::Sender<Batch>>,
    task: tokio::task::JoinHandle<Result<WriteTx, ServiceError>>,
}

impl Writer {
    fn start(mut tx: WriteTx, fresh: HashSet<&'static str>) -> Self {
        let (queue, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
        let task = tokio::spawn(async move {
            while let Some(batch) = batches.recv().await {
                match batch {
                    Batch::Role(p) => write_batch(&mut tx, p, &fresh).await?,
                    Batch::Group(p) => write_batch(&mut tx, p, &fresh).await?,
                    Batch::Resource(p) => write_batch(&mut tx, p, &fresh).await?,
                    Batch::User(p) => write_batch(&mut tx, p, &fresh).await?,
                    Batch::Record(p) => write_batch(&mut tx, p, &fresh).await?,
                }
            }
            Ok(tx)
        });
        Self {
            queue: Some(queue),
            task,
        }
    }

    /// Queues a batch; when the writer has failed, its error.
    async fn send(&mut self, batch: Batch) -> Result<(), ServiceError> {
        let sent = match &self.queue {
            Some(queue) => queue.send(batch).await.is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        self.queue = None;
        match (&mut self.task).await {
            Ok(Err(error)) => Err(error),
            _ => Err(ServiceError::corrupt("the import's writer", "stopped")),
        }
    }

    /// Waits for every batch to be written; the transaction.
    async fn finish(mut self) -> Result<WriteTx, ServiceError> {
        self.queue = None;
        self.task
            .await
            .map_err(|e| ServiceError::corrupt("the import's writer", e))?
    }
}

/// Writes one kind's batch: the users it names, then the objects. `fresh`: the kinds the
/// tenant had no object of when the import began (their lists need no deleting).
async fn write_batch<K: Kind>(
    tx: &mut WriteTx,
    pending: Pending<K>,
    fresh: &HashSet<&'static str>,
) -> Result<(), ServiceError> {
    let mut users: Vec<&str> = pending.users.iter().map(String::as_str).collect();
    users.sort_unstable();
    users.dedup();
    tx.ensure_users(&users).await?;
    tx.write(&pending.objects, fresh.contains(K::KIND)).await?;
    Ok(())
}

/// An import in progress: one open write, fed line by line.
pub struct Import<'s> {
    service: &'s Service,
    tenant: TenantId,
    actor: Actor,
    writer: Writer,
    /// Problems found, with the line of each.
    errors: Vec<(usize, FieldError)>,
    /// Ids seen per kind (duplicates are refused; roles and groups satisfy references).
    seen: HashMap<&'static str, HashSet<String>>,
    /// Roles and groups named but not (yet) in the import: where each was first named.
    wanted: BTreeMap<(&'static str, String), (usize, String)>,
    pending: Pendings,
    /// The write's own bookkeeping, for objects whose line gives no times.
    stamp: Stamp,
    counts: BTreeMap<&'static str, u64>,
    objects: u64,
}

impl std::fmt::Debug for Import<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import")
            .field("tenant", &self.tenant)
            .field("objects", &self.objects)
            .finish_non_exhaustive()
    }
}

fn line_field(line: usize, field: &str) -> String {
    if field.is_empty() || field == "." {
        format!("lines[{line}]")
    } else {
        format!("lines[{line}].{field}")
    }
}

impl Service {
    /// Starts an import into a tenant the caller may write.
    pub async fn begin_import(
        &self,
        tenant: &TenantId,
        actor: Actor,
    ) -> Result<Import<'_>, ServiceError> {
        let mut tx = self.begin_write(tenant).await?;
        tx.bulk().await?;
        let mut fresh = HashSet::new();
        for (kind, empty) in [
            (Role::KIND, !tx.has_any::<Role>().await?),
            (Group::KIND, !tx.has_any::<Group>().await?),
            (ResourceConfig::KIND, !tx.has_any::<ResourceConfig>().await?),
            (User::KIND, !tx.has_any::<User>().await?),
            (AccessRecord::KIND, !tx.has_any::<AccessRecord>().await?),
        ] {
            if empty {
                fresh.insert(kind);
            }
        }
        let stamp = tx.stamp(None, None);
        Ok(Import {
            service: self,
            tenant: tenant.clone(),
            actor,
            writer: Writer::start(tx, fresh),
            errors: Vec::new(),
            seen: HashMap::new(),
            wanted: BTreeMap::new(),
            pending: Pendings::default(),
            stamp,
            counts: BTreeMap::new(),
            objects: 0,
        })
    }

    /// Starts an export of a tenant the caller may read: one snapshot of it.
    pub async fn export(&self, tenant: &TenantId) -> Result<Export, ServiceError> {
        let snapshot = self
            .store
            .snapshot(tenant.as_str())
            .await?
            .ok_or_else(|| ServiceError::not_found("tenant", tenant.as_str()))?;
        Ok(Export {
            snapshot: Some(snapshot),
            kind: 0,
            after: None,
            header_sent: false,
        })
    }
}

impl Import<'_> {
    /// Whether more problems would still be reported.
    pub fn is_full(&self) -> bool {
        self.errors.len() >= MAX_ERRORS
    }

    fn refuse(&mut self, line: usize, field: &str, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors
                .push((line, FieldError::new(line_field(line, field), message)));
        }
    }

    /// Reports a line that is not text (or too long) by its number.
    pub fn refuse_line(&mut self, line: usize, message: impl Into<String>) {
        self.refuse(line, "", message);
    }

    /// Takes line number `line` (from 1) of the document.
    pub async fn line(&mut self, line: usize, text: &str) -> Result<(), ServiceError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        let mut document: Map<String, Value> = match serde_json::from_str(text) {
            Ok(document) => document,
            Err(error) => {
                self.refuse(line, "", format!("not a JSON object: {error}"));
                return Ok(());
            }
        };
        if crate::domain::text::json_may_hold_control(text.as_bytes()) {
            let value = Value::Object(document);
            let found = crate::domain::text::control_fields(&value);
            for (field, c) in &found {
                self.refuse(line, field, crate::domain::text::control_message(*c));
            }
            let Value::Object(rest) = value else {
                return Ok(());
            };
            if !found.is_empty() {
                return Ok(());
            }
            document = rest;
        }
        let kind = match document.remove("kind") {
            Some(Value::String(kind)) => kind,
            _ => {
                self.refuse(
                    line,
                    "kind",
                    "is required: one of role, group, resource, user, record",
                );
                return Ok(());
            }
        };
        match kind.as_str() {
            HEADER_KIND => {
                if line != 1 {
                    self.refuse(line, "kind", "the header may only be the first line");
                } else if document.get("version").and_then(Value::as_u64) != Some(FORMAT_VERSION) {
                    self.refuse(line, "version", format!("must be {FORMAT_VERSION}"));
                }
                Ok(())
            }
            Role::KIND => self.object::<Role>(line, document).await,
            Group::KIND => self.object::<Group>(line, document).await,
            ResourceConfig::KIND => self.object::<ResourceConfig>(line, document).await,
            User::KIND => self.object::<User>(line, document).await,
            AccessRecord::KIND => self.object::<AccessRecord>(line, document).await,
            other => {
                self.refuse(
                    line,
                    "kind",
                    format!("unknown kind `{other}`: one of role, group, resource, user, record"),
                );
                Ok(())
            }
        }
    }

    async fn object<K: Imported>(
        &mut self,
        line: usize,
        document: Map<String, Value>,
    ) -> Result<(), ServiceError> {
        let times: Vec<Option<Timestamp>> = ["createdAt", "updatedAt"]
            .iter()
            .map(|f| {
                document
                    .get(*f)
                    .and_then(Value::as_str)
                    .and_then(|t| Timestamp::parse(t).ok())
            })
            .collect();
        let object: K = match serde_path_to_error::deserialize(Value::Object(document)) {
            Ok(object) => object,
            Err(error) => {
                let field = error.path().to_string();
                self.refuse(line, &field, error.into_inner().to_string());
                return Ok(());
            }
        };
        for (_, problem) in object.check() {
            self.refuse(line, &problem.field, problem.message);
        }
        let Some(id) = object.id() else {
            self.refuse(line, K::ID_FIELD, "is required in an import");
            return Ok(());
        };
        let id = match K::parse_id(id) {
            Ok(id) => id,
            Err(error) => {
                self.refuse(line, K::ID_FIELD, error.0);
                return Ok(());
            }
        };
        if !self.seen.entry(K::KIND).or_default().insert(id.clone()) {
            self.refuse(
                line,
                K::ID_FIELD,
                format!("{} `{id}` appears more than once in the import", K::KIND),
            );
            return Ok(());
        }
        self.wanted.remove(&(K::KIND, id.clone()));
        let required = object.required_refs();
        for reference in &required {
            let defined = self
                .seen
                .get(reference.kind)
                .is_some_and(|ids| ids.contains(&reference.id));
            if !defined {
                self.wanted
                    .entry((reference.kind, reference.id.clone()))
                    .or_insert_with(|| (line, line_field(line, &reference.field)));
            }
        }
        if !self.errors.is_empty() {
            // Nothing will be kept: only look for more problems.
            return Ok(());
        }
        let stamp = Stamp {
            created_at: times[0].unwrap_or(self.stamp.created_at),
            updated_at: times[1].unwrap_or(self.stamp.updated_at),
            ..self.stamp
        };
        let pending = K::pending(&mut self.pending);
        pending.users.extend(object.named_users());
        pending.objects.push(Stamped { id, object, stamp });
        let full = pending.objects.len() >= FLUSH_AT;
        *self.counts.entry(K::KIND).or_default() += 1;
        self.objects += 1;
        if full {
            self.flush::<K>().await?;
        }
        Ok(())
    }

    /// Writes the pending objects of a kind, after the pending users: a user line that
    /// came before the record naming it keeps its `createdAt` (a user first registered by
    /// a record would keep the import's time).
    async fn flush<K: Imported>(&mut self) -> Result<(), ServiceError> {
        if K::KIND != User::KIND {
            self.flush_kind::<User>().await?;
        }
        self.flush_kind::<K>().await
    }

    async fn flush_kind<K: Imported>(&mut self) -> Result<(), ServiceError> {
        let pending = std::mem::take(K::pending(&mut self.pending));
        if pending.objects.is_empty() && pending.users.is_empty() {
            return Ok(());
        }
        self.writer.send(K::batch(pending)).await
    }

    /// Checks what could only be checked at the end, then commits the import as one
    /// revision, or refuses it with its problems (and nothing changes). Returns the new
    /// revision and the objects written per kind.
    pub async fn finish(mut self) -> Result<(i64, BTreeMap<&'static str, u64>), ServiceError> {
        if self.errors.is_empty() {
            self.flush::<Role>().await?;
            self.flush::<Group>().await?;
            self.flush::<ResourceConfig>().await?;
            self.flush::<User>().await?;
            self.flush::<AccessRecord>().await?;
        }
        let mut tx = self.writer.finish().await?;
        let wanted = std::mem::take(&mut self.wanted);
        for kind in [Role::KIND, Group::KIND] {
            let ids: Vec<&str> = wanted
                .keys()
                .filter(|(k, _)| *k == kind)
                .map(|(_, id)| id.as_str())
                .collect();
            let missing = missing_named(&mut tx, kind, &ids).await?;
            for id in missing {
                let (line, field) = wanted.get(&(kind, id.clone())).cloned().unwrap_or_default();
                if self.errors.len() < MAX_ERRORS {
                    self.errors.push((
                        line,
                        FieldError::new(
                            field,
                            format!("{kind} `{id}` exists neither in the tenant nor in the import"),
                        ),
                    ));
                }
            }
        }
        if !self.errors.is_empty() {
            // In the document's order, whichever check found them.
            self.errors.sort_by_key(|(line, _)| *line);
            return Err(ServiceError::Invalid(
                self.errors.into_iter().map(|(_, e)| e).collect(),
            ));
        }
        if self.objects == 0 {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "lines",
                "the import holds no objects",
            )]));
        }
        let counts: Map<String, Value> = self
            .counts
            .iter()
            .map(|(kind, n)| ((*kind).to_owned(), Value::from(*n)))
            .collect();
        let audit = AuditRecord {
            actor_kind: self.actor.kind.to_owned(),
            actor_id: self.actor.id.clone(),
            action: IMPORT_ACTION.to_owned(),
            target_kind: "tenant".to_owned(),
            target_id: self.tenant.to_string(),
            before: None,
            after: Some(Value::Object(counts).to_string()),
        };
        let revision = self.service.commit(&self.tenant, tx, audit).await?;
        tracing::info!(tenant = %self.tenant, revision, objects = self.objects, "import committed");
        Ok((revision, self.counts))
    }
}

/// The lines of one page of a kind's objects, and the last id when more may follow.
async fn export_page<K: Kind>(
    snapshot: &mut Snapshot,
    after: Option<&str>,
) -> Result<(String, Option<String>), ServiceError> {
    let objects = snapshot.read::<K>(Which::After(after, EXPORT_PAGE)).await?;
    let last = (objects.len() == EXPORT_PAGE)
        .then(|| objects.last().and_then(|o| o.id().map(str::to_owned)))
        .flatten();
    let mut chunk = String::with_capacity(objects.len() * 200);
    for object in &objects {
        let id = object.id().unwrap_or_default();
        let mut value = serde_json::to_value(object).map_err(|e| corrupt(K::KIND, id, e))?;
        if let Value::Object(fields) = &mut value {
            // The revision belongs to the tenant the object lives in.
            fields.remove("revision");
        }
        let rest = value.to_string();
        chunk.push_str("{\"kind\":\"");
        chunk.push_str(K::KIND);
        chunk.push_str("\",");
        // INVARIANT: `rest` is a non-empty JSON object (it has the id), so it starts with
        // `{` and has a field after it.
        chunk.push_str(&rest[1..]);
        chunk.push('\n');
    }
    Ok((chunk, last))
}

/// An export in progress: one snapshot of the tenant, read page by page.
#[derive(Debug)]
pub struct Export {
    snapshot: Option<Snapshot>,
    kind: usize,
    after: Option<String>,
    header_sent: bool,
}

impl Export {
    /// The tenant revision the document is the state of.
    pub fn revision(&self) -> i64 {
        self.snapshot.as_ref().map_or(0, |s| s.revision)
    }

    /// The next lines of the document (each ending in a newline); `None` at the end.
    pub async fn next_chunk(&mut self) -> Result<Option<String>, ServiceError> {
        if !self.header_sent {
            self.header_sent = true;
            return Ok(Some(format!(
                "{{\"kind\":\"{HEADER_KIND}\",\"version\":{FORMAT_VERSION}}}\n"
            )));
        }
        // The kinds in export order: role, group, resource, user, record.
        loop {
            let Some(snapshot) = self.snapshot.as_mut() else {
                return Ok(None);
            };
            let after = self.after.take();
            let after = after.as_deref();
            let (chunk, last) = match self.kind {
                0 => export_page::<Role>(snapshot, after).await?,
                1 => export_page::<Group>(snapshot, after).await?,
                2 => export_page::<ResourceConfig>(snapshot, after).await?,
                3 => export_page::<User>(snapshot, after).await?,
                4 => export_page::<AccessRecord>(snapshot, after).await?,
                _ => break,
            };
            match last {
                Some(last) => self.after = Some(last),
                None => self.kind += 1,
            }
            if !chunk.is_empty() {
                return Ok(Some(chunk));
            }
        }
        if let Some(snapshot) = self.snapshot.take() {
            snapshot.finish().await?;
        }
        Ok(None)
    }
}

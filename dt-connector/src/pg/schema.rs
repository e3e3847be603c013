//! PostgreSQL schema copy (docs/en/structure.md): the source's objects as `pg_dump` writes
//! them, section by section, applied to the target one object per transaction. The server's
//! own tool knows every kind of object and every version's syntax, and replaying its output
//! makes the target's `pg_dump` equal to the source's, as pgcopydb does.

use std::collections::{BTreeSet, HashMap};
use std::process::Stdio;
use std::sync::atomic::Ordering;

use anyhow::{bail, Context, Result};
use async_trait::async_trait;
use dt_common::secret::percent_decode;
use dt_common::TableId;
use sqlx::postgres::PgPool;
use sqlx::{Connection, Executor};
use tracing::{debug, info};

use super::quote;
use crate::{first_difference, schema_conflict, Created, Phase, SchemaCopier, SchemaReport};

/// One object of a dump: its kind (`TABLE`, `INDEX`, `FK CONSTRAINT`…), schema and name as
/// the dump's header gives them, the session settings the dump changes before it
/// (`SET default_table_access_method = heap;`), and the SQL that creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DumpObject {
    pub kind: String,
    pub schema: String,
    pub name: String,
    pub setup: String,
    pub sql: String,
}

impl DumpObject {
    fn label(&self) -> String {
        format!("{} {}.{}", self.kind, self.schema, self.name)
    }

    /// A primary key or unique constraint: the rows need it, so it is created before them.
    fn is_row_key(&self) -> bool {
        self.kind == "CONSTRAINT"
            && (self.sql.contains(" PRIMARY KEY ") || self.sql.contains(" UNIQUE "))
    }

    /// The structure name of `[filter] do_structures` this object belongs to.
    fn structure(&self) -> &'static str {
        match self.kind.as_str() {
            "SCHEMA" | "EXTENSION" => "database",
            "TYPE" | "DOMAIN" => "udt",
            "FUNCTION" | "PROCEDURE" | "AGGREGATE" => "udf",
            "SEQUENCE" | "SEQUENCE OWNED BY" => "sequence",
            "TABLE" | "TABLE ATTACH" | "DEFAULT" => "table",
            "CONSTRAINT" if self.is_row_key() => "table",
            "CONSTRAINT" | "FK CONSTRAINT" | "CHECK CONSTRAINT" => "constraint",
            "INDEX" | "INDEX ATTACH" => "index",
            "COMMENT" => "comment",
            "VIEW" | "MATERIALIZED VIEW" | "RULE" | "MATERIALIZED VIEW DATA" => "view",
            "TRIGGER" | "EVENT TRIGGER" => "trigger",
            _ => "other",
        }
    }
}

/// A dump split into the session settings it starts with and its objects, in dump order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Dump {
    pub preamble: String,
    pub objects: Vec<DumpObject>,
}

/// Splits the plain-format output of `pg_dump` at its object headers
/// (`-- Name: t; Type: TABLE; Schema: public; Owner: -`).
pub(crate) fn parse_dump(text: &str) -> Dump {
    let mut dump = Dump::default();
    let mut current: Option<DumpObject> = None;
    let mut body = String::new();
    // psql meta-commands that pg_dump writes around the dump (`\restrict KEY`, since
    // 15.14): they are for psql, not the server.
    let meta = |l: &str| l.starts_with("\\restrict ") || l.starts_with("\\unrestrict ");
    let lines: Vec<&str> = text.lines().filter(|l| !meta(l)).collect();
    let mut i = 0;
    while i < lines.len() {
        let header = lines[i] == "--"
            && lines.get(i + 2) == Some(&"--")
            && lines.get(i + 1).and_then(|l| header_of(l)).is_some();
        if header {
            let (kind, schema, name) = header_of(lines[i + 1]).expect("checked");
            let setup = finish(&mut dump, current.take(), &mut body);
            current = Some(DumpObject {
                kind,
                schema,
                name,
                setup,
                sql: String::new(),
            });
            i += 3;
            continue;
        }
        body.push_str(lines[i]);
        body.push('\n');
        i += 1;
    }
    finish(&mut dump, current, &mut body);
    dump
}

/// Ends the object being read (or the preamble) with the text read since its header;
/// returns the session settings at its end, which belong to the next object.
fn finish(dump: &mut Dump, current: Option<DumpObject>, body: &mut String) -> String {
    let text = std::mem::take(body);
    let comment = |l: &str| l.starts_with("-- ") || l == "--";
    let setting = |l: &str| l.starts_with("SET ") || l.starts_with("SELECT pg_catalog.set_config(");
    let Some(mut obj) = current else {
        let lines: Vec<&str> = text.lines().filter(|l| !comment(l)).collect();
        dump.preamble = lines.join("\n").trim().to_string();
        return String::new();
    };
    // The dump's closing comment follows the last object, and the settings of the next
    // one may; comments inside an object (a function's body) are part of it.
    let mut lines: Vec<&str> = text.trim_end().lines().collect();
    let mut settings = Vec::new();
    while let Some(&last) = lines.last() {
        if setting(last) {
            settings.push(last);
        } else if !(comment(last) || last.trim().is_empty()) {
            break;
        }
        lines.pop();
    }
    settings.reverse();
    obj.sql = lines.join("\n").trim().to_string();
    dump.objects.push(obj);
    settings.join("\n")
}

/// The kind, schema and name of a header line.
fn header_of(line: &str) -> Option<(String, String, String)> {
    let rest = line.strip_prefix("-- Name: ")?;
    let (name, rest) = rest.split_once("; Type: ")?;
    let (kind, rest) = rest.split_once("; Schema: ")?;
    let (schema, _) = rest.split_once("; Owner: ")?;
    Some((kind.to_string(), schema.to_string(), name.to_string()))
}

/// What the copy reads of the source once per task: the tables left out of the dumps, the
/// keys that can be built after the rows (by `(schema, "table constraint")`, the dump's
/// name of a constraint), and the pre-data and post-data sections.
#[derive(Clone)]
struct Source {
    excluded: Vec<TableId>,
    late_keys: HashMap<(String, String), LateKey>,
    pre: Dump,
    post: Dump,
}

/// Copies the schema of the selected tables' schemas from one PostgreSQL database to another.
pub struct PgSchema {
    src_url: String,
    dst_url: String,
    dst: PgPool,
    /// The `[filter] do_structures` names to copy; `None` for every object.
    structures: Option<BTreeSet<String>>,
    /// `[sinker] conflict_policy=ignore`: an object that differs in the target is a warning.
    ignore_conflicts: bool,
    /// Connections building indexes at once.
    workers: usize,
    /// The tables left out of the dumps, and the source's pre-data and post-data sections,
    /// read once per task: each phase needs both sections.
    source: tokio::sync::Mutex<Option<Source>>,
    /// The pre-data phase of this run created every table: no post-data object of theirs
    /// can be in the target, which then need not be dumped again.
    fresh_tables: std::sync::atomic::AtomicBool,
    /// The task copies the rows and then the post-data phase, every structure: the keys of
    /// the tables this run creates are built after the rows.
    keys_after_rows: bool,
    /// The keys the pre-data phase left to the post-data phase, one object per table.
    deferred: std::sync::Mutex<Vec<DumpObject>>,
}

/// A primary key or unique constraint of the source that can be built after the rows: a
/// plain table's b-tree key, created as its unique index and then attached to the table
/// (`ADD CONSTRAINT … USING INDEX`), as pgcopydb does.
#[derive(Debug, Clone)]
pub(crate) struct LateKey {
    table: TableId,
    /// `CREATE UNIQUE INDEX …`, schema-qualified.
    index: String,
    /// `ALTER TABLE ONLY … ADD CONSTRAINT … USING INDEX …`.
    attach: String,
}

impl PgSchema {
    pub fn new(
        src_url: String,
        dst_url: String,
        dst: PgPool,
        structures: Option<BTreeSet<String>>,
        ignore_conflicts: bool,
        workers: usize,
        keys_after_rows: bool,
    ) -> PgSchema {
        PgSchema {
            src_url,
            dst_url,
            dst,
            structures,
            ignore_conflicts,
            workers,
            source: tokio::sync::Mutex::default(),
            fresh_tables: std::sync::atomic::AtomicBool::new(false),
            keys_after_rows,
            deferred: std::sync::Mutex::default(),
        }
    }

    /// The objects of `phase` from a dump of the source: the pre-data section with the
    /// primary and unique keys of the post-data section (and their attachments to the keys
    /// of partitioned tables); or the rest of the post-data section.
    fn phase_objects(&self, phase: Phase, pre: Dump, post: Dump) -> (String, Vec<DumpObject>) {
        let keys: BTreeSet<String> = post
            .objects
            .iter()
            .filter(|o| o.is_row_key())
            .filter_map(|o| o.name.split_once(' ').map(|(_, c)| c.to_string()))
            .collect();
        let early =
            |o: &DumpObject| o.is_row_key() || (o.kind == "INDEX ATTACH" && keys.contains(&o.name));
        let (preamble, objects): (String, Vec<DumpObject>) = match phase {
            Phase::PreData => {
                let mut objects = pre.objects;
                objects.extend(post.objects.into_iter().filter(early));
                (pre.preamble, objects)
            }
            Phase::PostData => (
                post.preamble,
                post.objects.into_iter().filter(|o| !early(o)).collect(),
            ),
        };
        // Tables need their keys (and their attachments to a partitioned table's key),
        // types, functions (defaults, checks) and sequences.
        let wanted = |o: &DumpObject| {
            let structure = if early(o) { "table" } else { o.structure() };
            self.structures.as_ref().is_none_or(|s| {
                s.contains(structure)
                    || (s.contains("table") && matches!(structure, "udt" | "udf" | "sequence"))
            })
        };
        (preamble, objects.into_iter().filter(wanted).collect())
    }

    /// The schemas of the target among `schemas`: `pg_dump -n` fails when none matches.
    async fn target_schemas(&self, schemas: &[String]) -> Result<Vec<String>> {
        let found: Vec<String> =
            sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname = ANY($1)")
                .bind(schemas)
                .fetch_all(&self.dst)
                .await
                .context("cannot list the target's schemas")?;
        Ok(found)
    }

    /// Tables of `schemas` in the source that the task does not select (left out of the
    /// dump), and, when keys are built after the rows, the source's keys that can be.
    async fn source_catalog(
        &self,
        schemas: &[String],
        tables: &[TableId],
    ) -> Result<(Vec<TableId>, HashMap<(String, String), LateKey>)> {
        let mut src = sqlx::PgConnection::connect(&self.src_url)
            .await
            .context("cannot connect to the source")?;
        let all: Vec<(String, String)> = sqlx::query_as(
            "SELECT n.nspname::text, c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition AND n.nspname = ANY($1)",
        )
        .bind(schemas)
        .fetch_all(&mut src)
        .await
        .context("cannot list the source's tables")?;
        let excluded = all
            .into_iter()
            .map(|(s, t)| TableId::new(s, t))
            .filter(|id| !tables.contains(id))
            .collect();
        let mut late = HashMap::new();
        if self.keys_after_rows {
            // Names qualified as the dump's, whatever the session's search path.
            src.execute("SET search_path = ''")
                .await
                .context("cannot read the source's keys")?;
            // Plain tables only: a partitioned table's key cannot be attached from an index.
            let keys: Vec<(String, String, String, String, bool, bool, bool)> = sqlx::query_as(
                "SELECT n.nspname::text, c.relname::text, k.conname::text, \
                 pg_get_indexdef(k.conindid), k.contype = 'p', k.condeferrable, k.condeferred \
                 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_class i ON i.oid = k.conindid JOIN pg_am a ON a.oid = i.relam \
                 WHERE k.contype IN ('p', 'u') AND c.relkind = 'r' AND NOT c.relispartition \
                 AND a.amname = 'btree' AND n.nspname = ANY($1)",
            )
            .bind(schemas)
            .fetch_all(&mut src)
            .await
            .context("cannot read the source's keys")?;
            for (schema, tb, con, index, primary, deferrable, deferred) in keys {
                let table = TableId::new(schema.clone(), tb.clone());
                let mut attach = format!(
                    "ALTER TABLE ONLY {} ADD CONSTRAINT {} {} USING INDEX {}",
                    super::catalog::table_name(&table),
                    quote(&con),
                    if primary { "PRIMARY KEY" } else { "UNIQUE" },
                    quote(&con)
                );
                if deferrable {
                    attach.push_str(" DEFERRABLE");
                }
                if deferred {
                    attach.push_str(" INITIALLY DEFERRED");
                }
                let late_key = LateKey {
                    table,
                    index,
                    attach,
                };
                late.insert((schema, format!("{tb} {con}")), late_key);
            }
        }
        src.close().await.ok();
        Ok((excluded, late))
    }
}

/// Takes out of `objects` the keys of the tables the target lacks (which this phase creates,
/// empty) that can be built after the rows; returns them as one object per table, which
/// builds the table's unique indexes and attaches them as its keys in one transaction.
fn take_late_keys(
    objects: &mut Vec<DumpObject>,
    existing: &HashMap<(String, String, String), String>,
    late_keys: &HashMap<(String, String), LateKey>,
) -> Vec<(TableId, DumpObject)> {
    let mut by_table: std::collections::BTreeMap<TableId, Vec<(String, &LateKey)>> =
        Default::default();
    objects.retain(|o| {
        // A key whose dump adds more than the constraint (`CLUSTER ON` it) stays as it is.
        let late = (o.is_row_key() && o.sql.matches(';').count() == 1)
            .then(|| late_keys.get(&(o.schema.clone(), o.name.clone())))
            .flatten();
        let Some(key) = late else { return true };
        let table = (
            "TABLE".to_string(),
            key.table.schema.clone(),
            key.table.tb.clone(),
        );
        if existing.contains_key(&table) {
            return true;
        }
        by_table
            .entry(key.table.clone())
            .or_default()
            .push((o.name.clone(), key));
        false
    });
    by_table
        .into_iter()
        .map(|(table, keys)| {
            let names: Vec<&str> = keys.iter().map(|(n, _)| n.as_str()).collect();
            let statements: Vec<&str> = keys
                .iter()
                .map(|(_, k)| k.index.as_str())
                .chain(keys.iter().map(|(_, k)| k.attach.as_str()))
                .collect();
            let obj = DumpObject {
                kind: "CONSTRAINT".to_string(),
                schema: table.schema.clone(),
                name: names.join(", "),
                setup: String::new(),
                sql: format!("{};", statements.join(";\n")),
            };
            (table, obj)
        })
        .collect()
}

/// Runs `pg_dump` on the database of `url` for `section` of `schemas`, leaving out
/// `excluded` tables, and parses its output. The password goes in the environment, never on
/// the command line.
async fn pg_dump(
    url: &str,
    section: &str,
    schemas: &[String],
    excluded: &[TableId],
) -> Result<Dump> {
    if schemas.is_empty() {
        return Ok(Dump::default());
    }
    let mut parsed = url::Url::parse(url).context("the URL is not one pg_dump can read")?;
    let password = parsed.password().map(percent_decode);
    // Only a URL that cannot have a password (no host) refuses; it has none to remove.
    let _ = parsed.set_password(None);
    let mut cmd = tokio::process::Command::new("pg_dump");
    cmd.arg("--dbname")
        .arg(parsed.as_str())
        .arg(format!("--section={section}"))
        .args([
            "--no-owner",
            "--no-privileges",
            "--no-tablespaces",
            "--no-publications",
            "--no-subscriptions",
            "--no-security-labels",
        ]);
    for schema in schemas {
        cmd.arg("--schema").arg(quote(schema));
    }
    for id in excluded {
        cmd.arg("--exclude-table")
            .arg(format!("{}.{}", quote(&id.schema), quote(&id.tb)));
    }
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .context("cannot run pg_dump (install the PostgreSQL client tools, of a version at least the servers')")?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        bail!("pg_dump failed: {}", stderr.trim());
    }
    Ok(parse_dump(
        &String::from_utf8(out.stdout).context("pg_dump wrote text that is not UTF-8")?,
    ))
}

#[async_trait]
impl SchemaCopier for PgSchema {
    async fn copy(
        &self,
        phase: Phase,
        tables: &[TableId],
        created: &Created,
    ) -> Result<SchemaReport> {
        self.copy_phase(phase, tables, created).await
    }
}

impl PgSchema {
    async fn copy_phase(
        &self,
        phase: Phase,
        tables: &[TableId],
        created: &Created,
    ) -> Result<SchemaReport> {
        let schemas: Vec<String> = tables
            .iter()
            .map(|t| t.schema.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let source = {
            let mut source = self.source.lock().await;
            if source.is_none() {
                let (excluded, late_keys) = self.source_catalog(&schemas, tables).await?;
                let (pre, post) = tokio::try_join!(
                    pg_dump(&self.src_url, "pre-data", &schemas, &excluded),
                    pg_dump(&self.src_url, "post-data", &schemas, &excluded),
                )
                .context("cannot read the source's schema")?;
                *source = Some(Source {
                    excluded,
                    late_keys,
                    pre,
                    post,
                });
            }
            source.clone().expect("dumped")
        };
        let excluded = source.excluded;
        let (preamble, mut objects) = self.phase_objects(phase, source.pre, source.post);
        // What the target holds already, dumped the same way; after a pre-data phase that
        // created every table, nothing of theirs.
        let fresh = phase == Phase::PostData && self.fresh_tables.load(Ordering::Relaxed);
        let present = match fresh {
            true => Vec::new(),
            false => self.target_schemas(&schemas).await?,
        };
        let (tpre, tpost) = tokio::try_join!(
            pg_dump(&self.dst_url, "pre-data", &present, &excluded),
            pg_dump(&self.dst_url, "post-data", &present, &excluded),
        )
        .context("cannot read the target's schema")?;
        let existing: HashMap<(String, String, String), String> = tpre
            .objects
            .into_iter()
            .chain(tpost.objects)
            .map(|o| ((o.kind, o.schema, o.name), o.sql))
            .collect();
        if phase == Phase::PreData {
            let key = |o: &DumpObject| (o.kind.clone(), o.schema.clone(), o.name.clone());
            let tables: Vec<&DumpObject> = objects.iter().filter(|o| o.kind == "TABLE").collect();
            let fresh =
                !tables.is_empty() && tables.iter().all(|o| !existing.contains_key(&key(o)));
            self.fresh_tables.store(fresh, Ordering::Relaxed);
        }
        let mut report = SchemaReport::default();
        let late = match phase {
            Phase::PreData if self.keys_after_rows => {
                let late = take_late_keys(&mut objects, &existing, &source.late_keys);
                report.keys_after_rows = late.iter().map(|(t, _)| t.clone()).collect();
                let late: Vec<DumpObject> = late.into_iter().map(|(_, o)| o).collect();
                if !late.is_empty() {
                    info!(
                        "schema, pre-data: the keys of {} new table(s) are built after the rows",
                        late.len()
                    );
                }
                *self.deferred.lock().unwrap_or_else(|p| p.into_inner()) = late;
                Vec::new()
            }
            Phase::PreData => Vec::new(),
            Phase::PostData => {
                std::mem::take(&mut *self.deferred.lock().unwrap_or_else(|p| p.into_inner()))
            }
        };
        info!(
            "schema, {}: {} object(s) of the source to bring",
            phase.name(),
            objects.len() + late.len()
        );
        // Indexes are independent of each other: after the rows they are built `workers`
        // at a time, like pgcopydb's index jobs, the keys left from the pre-data phase
        // first; everything else follows in dump order.
        let (indexes, rest): (Vec<DumpObject>, Vec<DumpObject>) = match phase {
            Phase::PostData => objects.into_iter().partition(|o| o.kind == "INDEX"),
            Phase::PreData => (Vec::new(), objects),
        };
        let indexes = late.into_iter().chain(indexes).collect();
        for part in [
            self.apply(&preamble, indexes, &existing, self.workers, created)
                .await?,
            self.apply(&preamble, rest, &existing, 1, created).await?,
        ] {
            report.add(&part);
        }
        report.log(phase);
        Ok(report)
    }

    /// Brings `objects` to the target on `workers` connections, each taking the next object
    /// in turn (with one worker, in order); `existing` is what the target holds.
    async fn apply(
        &self,
        preamble: &str,
        objects: Vec<DumpObject>,
        existing: &HashMap<(String, String, String), String>,
        workers: usize,
        created: &Created,
    ) -> Result<SchemaReport> {
        let queue = std::sync::Mutex::new(objects.into_iter());
        let reports = futures::future::try_join_all((0..workers.max(1)).map(|_| async {
            let mut report = SchemaReport::default();
            let mut conn = self
                .dst
                .acquire()
                .await
                .context("cannot connect to the target")?;
            // An autovacuum of a table this run has just filled holds a lock that index
            // builds wait for; PostgreSQL cancels it once the wait has lasted
            // deadlock_timeout (1 s by default). A superuser's session may shorten that; for
            // other roles the server's setting stays.
            if let Err(e) = conn.execute("SET deadlock_timeout = '100ms'").await {
                debug!("schema, deadlock_timeout left as it is: {e}");
            }
            if !preamble.is_empty() {
                conn.execute(preamble)
                    .await
                    .context("cannot set up the target session for the schema")?;
            }
            loop {
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
                let Some(obj) = next else { break };
                // Settings hold for the rest of the session, skipped objects or not.
                if !obj.setup.is_empty() {
                    conn.execute(obj.setup.as_str()).await.with_context(|| {
                        format!("cannot set up the target session for {}", obj.label())
                    })?;
                }
                let key = (obj.kind.clone(), obj.schema.clone(), obj.name.clone());
                match existing.get(&key) {
                    Some(sql) if *sql == obj.sql => {
                        report.identical += 1;
                        continue;
                    }
                    Some(sql) => {
                        let why = first_difference(sql, &obj.sql);
                        schema_conflict(&obj.label(), &why, self.ignore_conflicts)?;
                        report.ignored += 1;
                        continue;
                    }
                    None => {}
                }
                // One transaction per object: a kill rolls back the one being created (an
                // index half built included), and the next run finds it missing and creates
                // it again.
                let mut tx = conn.begin().await.context("cannot begin on the target")?;
                tx.execute(obj.sql.as_str())
                    .await
                    .with_context(|| format!("cannot create {} in the target", obj.label()))?;
                tx.commit()
                    .await
                    .with_context(|| format!("cannot create {} in the target", obj.label()))?;
                report.created += 1;
                created(obj.label());
            }
            Ok::<_, anyhow::Error>(report)
        }))
        .await?;
        let mut total = SchemaReport::default();
        reports.iter().for_each(|r| total.add(r));
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n\nSET statement_timeout = 0;\n\
SELECT pg_catalog.set_config('search_path', '', false);\n\n--\n-- Name: s; Type: SCHEMA; Schema: -; Owner: -\n--\n\n\
CREATE SCHEMA s;\n\n\n--\n-- Name: f(); Type: FUNCTION; Schema: s; Owner: -\n--\n\n\
CREATE FUNCTION s.f() RETURNS int\n    LANGUAGE sql\n    AS $$\n-- a comment in the body\nSELECT 1\n$$;\n\n\nSET default_tablespace = '';\n\n\
--\n-- Name: t t_pkey; Type: CONSTRAINT; Schema: s; Owner: -\n--\n\nALTER TABLE ONLY s.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n\n\n\
--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc\n\n";

    fn key(table: &str, sql: &str) -> DumpObject {
        DumpObject {
            kind: "CONSTRAINT".into(),
            schema: "s".into(),
            name: format!("{table} {table}_pkey"),
            setup: String::new(),
            sql: sql.into(),
        }
    }

    #[test]
    fn only_keys_of_new_tables_wait_for_the_rows() {
        let late = |t: &str| LateKey {
            table: TableId::new("s", t),
            index: format!("CREATE UNIQUE INDEX {t}_pkey ON s.{t} USING btree (id)"),
            attach: format!(
                "ALTER TABLE ONLY s.{t} ADD CONSTRAINT {t}_pkey PRIMARY KEY USING INDEX {t}_pkey"
            ),
        };
        let late_keys: HashMap<(String, String), LateKey> = ["new", "old", "clustered"]
            .into_iter()
            .map(|t| (("s".to_string(), format!("{t} {t}_pkey")), late(t)))
            .collect();
        let add = |t: &str| {
            format!("ALTER TABLE ONLY s.{t}\n    ADD CONSTRAINT {t}_pkey PRIMARY KEY (id);")
        };
        let mut objects = vec![
            key("new", &add("new")),
            key("old", &add("old")),
            key(
                "clustered",
                &format!(
                    "{}\n\nALTER TABLE s.clustered CLUSTER ON clustered_pkey;",
                    add("clustered")
                ),
            ),
        ];
        let existing: HashMap<(String, String, String), String> =
            [(("TABLE".into(), "s".into(), "old".into()), String::new())].into();
        let taken = take_late_keys(&mut objects, &existing, &late_keys);
        let left: Vec<&str> = objects.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(left, ["old old_pkey", "clustered clustered_pkey"]);
        assert_eq!(taken.len(), 1);
        let (table, obj) = &taken[0];
        assert_eq!(*table, TableId::new("s", "new"));
        assert_eq!(
            obj.sql,
            "CREATE UNIQUE INDEX new_pkey ON s.new USING btree (id);\n\
             ALTER TABLE ONLY s.new ADD CONSTRAINT new_pkey PRIMARY KEY USING INDEX new_pkey;"
        );
    }

    #[test]
    fn a_dump_splits_at_its_object_headers() {
        let dump = parse_dump(DUMP);
        assert_eq!(
            dump.preamble,
            "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);"
        );
        let kinds: Vec<(&str, &str, &str)> = dump
            .objects
            .iter()
            .map(|o| (o.kind.as_str(), o.schema.as_str(), o.name.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("SCHEMA", "-", "s"),
                ("FUNCTION", "s", "f()"),
                ("CONSTRAINT", "s", "t t_pkey")
            ]
        );
        assert!(
            dump.objects[1]
                .sql
                .ends_with("-- a comment in the body\nSELECT 1\n$$;"),
            "{}",
            dump.objects[1].sql
        );
        assert_eq!(dump.objects[2].setup, "SET default_tablespace = '';");
        assert!(dump.objects[2].is_row_key());
        assert_eq!(dump.objects[2].structure(), "table");
        assert_eq!(
            dump.objects[2].sql,
            "ALTER TABLE ONLY s.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);"
        );
    }
}

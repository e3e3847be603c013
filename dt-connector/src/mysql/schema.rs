//! MySQL / MariaDB schema copy (docs/en/structure.md): every object as the server itself
//! shows it (`SHOW CREATE …`), applied to the target one statement per object, except that a
//! table's secondary indexes and foreign keys wait for its rows and are then added in one
//! `ALTER TABLE` per table, as myloader's deferred keys are.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{Context, Result};
use async_trait::async_trait;
use dt_common::TableId;
use futures::{StreamExt, TryStreamExt};
use sqlx::mysql::MySqlPool;
use sqlx::{Executor, Row as _};
use tracing::info;

use super::catalog::table_name;
use super::quote;
use super::sinker::error_number;
use crate::{first_difference, schema_conflict, Created, Phase, SchemaCopier, SchemaReport};

/// `ER_NO_SUCH_TABLE`: a view names a view not created yet.
const ER_NO_SUCH_TABLE: u16 = 1146;

/// The kinds of object, in the order they are created within a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Database,
    Sequence,
    Table,
    Function,
    Procedure,
    Index,
    ForeignKey,
    View,
    Trigger,
    Event,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Database => "DATABASE",
            Kind::Sequence => "SEQUENCE",
            Kind::Table => "TABLE",
            Kind::Function => "FUNCTION",
            Kind::Procedure => "PROCEDURE",
            Kind::Index => "INDEX",
            Kind::ForeignKey => "FK CONSTRAINT",
            Kind::View => "VIEW",
            Kind::Trigger => "TRIGGER",
            Kind::Event => "EVENT",
        }
    }

    /// The `[filter] do_structures` name the kind belongs to.
    fn structure(self) -> &'static str {
        match self {
            Kind::Database => "database",
            Kind::Sequence => "sequence",
            Kind::Table => "table",
            Kind::Function | Kind::Procedure => "udf",
            Kind::Index => "index",
            Kind::ForeignKey => "constraint",
            Kind::View => "view",
            Kind::Trigger => "trigger",
            Kind::Event => "other",
        }
    }

    fn phase(self) -> Phase {
        match self {
            Kind::Database | Kind::Sequence | Kind::Table | Kind::Function | Kind::Procedure => {
                Phase::PreData
            }
            _ => Phase::PostData,
        }
    }
}

/// One object: its kind, database, table (for an index or a foreign key; its own name
/// otherwise) and name, and how to create it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Object {
    kind: Kind,
    db: String,
    table: String,
    name: String,
    /// The statement that creates it; for an index or a foreign key, the clause of
    /// `ALTER TABLE … ADD`.
    sql: String,
    /// The `sql_mode` and `time_zone` the object was created under (routines, triggers,
    /// events): the body is parsed with them again.
    sql_mode: Option<String>,
    time_zone: Option<String>,
}

type Key = (Kind, String, String, String);

impl Object {
    fn new(kind: Kind, db: &str, name: &str, sql: String) -> Object {
        Object {
            kind,
            db: db.to_string(),
            table: name.to_string(),
            name: name.to_string(),
            sql,
            sql_mode: None,
            time_zone: None,
        }
    }

    fn label(&self) -> String {
        match self.kind {
            Kind::Index | Kind::ForeignKey => {
                format!(
                    "{} {}.{}.{}",
                    self.kind.label(),
                    self.db,
                    self.table,
                    self.name
                )
            }
            _ => format!("{} {}.{}", self.kind.label(), self.db, self.name),
        }
    }

    fn key(&self) -> Key {
        (
            self.kind,
            self.db.clone(),
            self.table.clone(),
            self.name.clone(),
        )
    }

    /// What is compared with the target's definition: the definer (the objects belong to
    /// the target account) and a table's next `AUTO_INCREMENT` value (the rows move it) left
    /// out.
    fn comparable(&self) -> String {
        match self.kind {
            Kind::Table => without_auto_increment(&self.sql),
            _ => self.definition(),
        }
    }

    /// The statement as it is run in the target: routines, views, triggers and events
    /// without their definer, so that they belong to the target account.
    fn definition(&self) -> String {
        match self.kind {
            Kind::Function | Kind::Procedure | Kind::View | Kind::Trigger | Kind::Event => {
                without_definer(&self.sql)
            }
            _ => self.sql.clone(),
        }
    }
}

/// `sql` without its `DEFINER=`user`@`host` ` clause.
fn without_definer(sql: &str) -> String {
    let Some(at) = sql.find("DEFINER=`") else {
        return sql.to_string();
    };
    let rest = &sql[at + "DEFINER=".len()..];
    let mut end = quoted_len(rest);
    if rest[end..].starts_with("@`") {
        end += 1 + quoted_len(&rest[end + 1..]);
    }
    let tail = rest[end..].strip_prefix(' ').unwrap_or(&rest[end..]);
    format!("{}{tail}", &sql[..at])
}

/// The length of the backtick-quoted name `s` starts with (doubled backticks inside).
pub(super) fn quoted_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            if bytes.get(i + 1) == Some(&b'`') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// A `CREATE TABLE` without the ` AUTO_INCREMENT=n` of its table options.
fn without_auto_increment(sql: &str) -> String {
    let lines: Vec<String> = sql
        .lines()
        .map(|l| {
            if !l.starts_with(')') {
                return l.to_string();
            }
            l.split(' ')
                .filter(|w| !w.starts_with("AUTO_INCREMENT="))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    lines.join("\n")
}

/// Splits `SHOW CREATE TABLE` into the table created before the rows (columns, primary and
/// unique keys, checks, full-text keys, options, partitions) and the secondary indexes and
/// foreign keys added after them. A key the auto-increment column needs stays in the table:
/// the server refuses such a column without one.
fn split_table(db: &str, table: &str, create: &str) -> Vec<Object> {
    let lines: Vec<&str> = create.lines().collect();
    let auto: Option<String> = lines
        .iter()
        .find(|l| l.starts_with("  `") && l.contains(" AUTO_INCREMENT"))
        .map(|l| l[2..2 + quoted_len(&l[2..])].to_string());
    let mut kept: Vec<&str> = Vec::new();
    let mut later = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let body = i > 0 && line.starts_with("  ");
        let def = line.trim().trim_end_matches(',');
        let deferred = if !body {
            None
        } else if def.starts_with("KEY `") || def.starts_with("SPATIAL KEY `") {
            let name_at = def.find('`').expect("checked");
            let name_len = quoted_len(&def[name_at..]);
            let cols = def[name_at + name_len..].trim_start();
            let needed = auto
                .as_ref()
                .is_some_and(|a| cols.starts_with(&format!("({a}")));
            (!needed).then(|| (Kind::Index, unquote(&def[name_at..name_at + name_len])))
        } else if def.starts_with("CONSTRAINT `") && def.contains(" FOREIGN KEY ") {
            let name = &def["CONSTRAINT ".len()..];
            Some((Kind::ForeignKey, unquote(&name[..quoted_len(name)])))
        } else {
            None
        };
        match deferred {
            Some((kind, name)) => later.push(Object {
                kind,
                db: db.to_string(),
                table: table.to_string(),
                name,
                sql: def.to_string(),
                sql_mode: None,
                time_zone: None,
            }),
            None => kept.push(line),
        }
    }
    // The last definition kept loses its comma.
    if let Some(last) = kept.iter().rposition(|l| l.starts_with("  ")) {
        let trimmed = kept[last].trim_end_matches(',');
        let mut out: Vec<String> = kept.iter().map(|l| l.to_string()).collect();
        out[last] = trimmed.to_string();
        let mut objects = vec![Object::new(Kind::Table, db, table, out.join("\n"))];
        objects.extend(later);
        return objects;
    }
    let mut objects = vec![Object::new(Kind::Table, db, table, create.to_string())];
    objects.extend(later);
    objects
}

/// `` `a``b` `` → ``a`b``.
fn unquote(quoted: &str) -> String {
    let inner = quoted.strip_prefix('`').unwrap_or(quoted);
    inner.strip_suffix('`').unwrap_or(inner).replace("``", "`")
}

/// Copies the schema of the selected tables' databases from one MySQL or MariaDB server to
/// another.
pub struct MysqlSchema {
    src: MySqlPool,
    dst: MySqlPool,
    /// The `[filter] do_structures` names to copy; `None` for every object.
    structures: Option<BTreeSet<String>>,
    /// `[sinker] conflict_policy=ignore`: an object that differs in the target is a warning.
    ignore_conflicts: bool,
    /// Connections creating objects at once.
    workers: usize,
}

impl MysqlSchema {
    pub fn new(
        src: MySqlPool,
        dst: MySqlPool,
        structures: Option<BTreeSet<String>>,
        ignore_conflicts: bool,
        workers: usize,
    ) -> MysqlSchema {
        MysqlSchema {
            src,
            dst,
            structures,
            ignore_conflicts,
            workers,
        }
    }

    /// Whether `[filter] do_structures` selects objects of `kind`. Tables bring the
    /// sequences and functions their defaults may call, as with PostgreSQL.
    fn wanted(&self, kind: Kind) -> bool {
        self.structures.as_ref().is_none_or(|s| {
            s.contains(kind.structure())
                || (s.contains("table") && matches!(kind.structure(), "udf" | "sequence"))
        })
    }
}

/// The text of column `i` of a `SHOW CREATE …` row; NULL when the account may not see it.
fn text(row: &sqlx::mysql::MySqlRow, i: usize, what: &str) -> Result<String> {
    let value: Option<String> = row
        .try_get_unchecked(i)
        .with_context(|| format!("cannot read the definition of {what}"))?;
    value.with_context(|| {
        format!("the server does not show the definition of {what} to this account (it needs the privileges SHOW CREATE needs)")
    })
}

/// The names in the first column of `sql`, run with `db` as its parameter.
async fn names(pool: &MySqlPool, sql: &str, db: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(sql)
        .bind(db)
        .fetch_all(pool)
        .await
        .context("cannot list the schema's objects")?;
    rows.iter()
        .map(|r| r.try_get_unchecked::<String, _>(0).map_err(Into::into))
        .collect()
}

/// The definition of one object, as `SHOW CREATE` gives it; `None` when it does not exist.
async fn show(pool: &MySqlPool, kind: Kind, db: &str, name: &str) -> Result<Option<Vec<Object>>> {
    let what = format!("{} {db}.{name}", kind.label());
    let target = format!("{}.{}", quote(db), quote(name));
    let sql = match kind {
        Kind::Database => format!("SHOW CREATE DATABASE {}", quote(db)),
        Kind::Table => format!("SHOW CREATE TABLE {target}"),
        Kind::Sequence => format!("SHOW CREATE SEQUENCE {target}"),
        Kind::Function => format!("SHOW CREATE FUNCTION {target}"),
        Kind::Procedure => format!("SHOW CREATE PROCEDURE {target}"),
        Kind::View => format!("SHOW CREATE VIEW {target}"),
        Kind::Trigger => format!("SHOW CREATE TRIGGER {target}"),
        Kind::Event => format!("SHOW CREATE EVENT {target}"),
        Kind::Index | Kind::ForeignKey => unreachable!("read with their table"),
    };
    let row = match sqlx::query(&sql).fetch_optional(pool).await {
        Ok(Some(row)) => row,
        Ok(None) => return Ok(None),
        // Gone since it was listed, or never there.
        Err(e)
            if error_number(&e).is_some_and(|n| matches!(n, 1049 | 1146 | 1305 | 1360 | 1539)) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read the definition of {what}")),
    };
    let mut obj = Object::new(kind, db, name, String::new());
    match kind {
        Kind::Database | Kind::Table | Kind::Sequence | Kind::View => {
            obj.sql = text(&row, 1, &what)?;
        }
        Kind::Function | Kind::Procedure | Kind::Trigger => {
            obj.sql_mode = Some(text(&row, 1, &what)?);
            obj.sql = text(&row, 2, &what)?;
        }
        Kind::Event => {
            obj.sql_mode = Some(text(&row, 1, &what)?);
            obj.time_zone = Some(text(&row, 2, &what)?);
            obj.sql = text(&row, 3, &what)?;
        }
        Kind::Index | Kind::ForeignKey => unreachable!(),
    }
    if kind == Kind::Table {
        return Ok(Some(split_table(db, name, &obj.sql)));
    }
    Ok(Some(vec![obj]))
}

/// The objects of `dbs` on a server, for `tables` of them: the databases, the tables with
/// their indexes and foreign keys, the triggers of those tables, and every sequence,
/// routine, view and event of those databases.
async fn read(
    pool: &MySqlPool,
    dbs: &[String],
    tables: &[TableId],
    workers: usize,
) -> Result<Vec<Object>> {
    let mut wanted: Vec<(Kind, String, String)> = Vec::new();
    let selected: BTreeSet<(&str, &str)> = tables
        .iter()
        .map(|t| (t.schema.as_str(), t.tb.as_str()))
        .collect();
    for db in dbs {
        let present = names(
            pool,
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            db,
        )
        .await?;
        if present.is_empty() {
            continue;
        }
        wanted.push((Kind::Database, db.clone(), db.clone()));
        let listings = [
            (
                Kind::Table,
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? \
                 AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME",
            ),
            (
                Kind::Sequence,
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? \
                 AND TABLE_TYPE = 'SEQUENCE' ORDER BY TABLE_NAME",
            ),
            (
                Kind::Function,
                "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? \
                 AND ROUTINE_TYPE = 'FUNCTION' ORDER BY ROUTINE_NAME",
            ),
            (
                Kind::Procedure,
                "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? \
                 AND ROUTINE_TYPE = 'PROCEDURE' ORDER BY ROUTINE_NAME",
            ),
            (
                Kind::View,
                "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? \
                 ORDER BY TABLE_NAME",
            ),
            (
                Kind::Event,
                "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? \
                 ORDER BY EVENT_NAME",
            ),
        ];
        for (kind, sql) in listings {
            for name in names(pool, sql, db).await? {
                if kind != Kind::Table || selected.contains(&(db.as_str(), name.as_str())) {
                    wanted.push((kind, db.clone(), name));
                }
            }
        }
        // Triggers of the selected tables, in the order they fire.
        let rows = sqlx::query(
            "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME FROM information_schema.TRIGGERS \
             WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, \
             EVENT_MANIPULATION, ACTION_ORDER",
        )
        .bind(db)
        .fetch_all(pool)
        .await
        .context("cannot list the schema's triggers")?;
        for r in rows {
            let table: String = r.try_get_unchecked(0)?;
            if selected.contains(&(db.as_str(), table.as_str())) {
                wanted.push((Kind::Trigger, db.clone(), r.try_get_unchecked(1)?));
            }
        }
    }
    let shown: Vec<Option<Vec<Object>>> = futures::stream::iter(wanted)
        .map(|(kind, db, name)| async move { show(pool, kind, &db, &name).await })
        .buffered(workers.max(1))
        .try_collect()
        .await?;
    Ok(shown.into_iter().flatten().flatten().collect())
}

#[async_trait]
impl SchemaCopier for MysqlSchema {
    async fn copy(
        &self,
        phase: Phase,
        tables: &[TableId],
        created: &Created,
    ) -> Result<SchemaReport> {
        let dbs: Vec<String> = tables
            .iter()
            .map(|t| t.schema.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let (source, target) = tokio::try_join!(
            read(&self.src, &dbs, tables, self.workers),
            read(&self.dst, &dbs, tables, self.workers),
        )?;
        let objects: Vec<Object> = source
            .into_iter()
            .filter(|o| o.kind.phase() == phase && self.wanted(o.kind))
            .collect();
        let existing: HashMap<Key, Object> = target.into_iter().map(|o| (o.key(), o)).collect();
        info!(
            "schema, {}: {} object(s) of the source to bring",
            phase.name(),
            objects.len()
        );
        let mut report = SchemaReport::default();
        let mut missing: BTreeMap<Kind, Vec<Object>> = BTreeMap::new();
        for obj in objects {
            match existing.get(&obj.key()) {
                Some(t) if t.comparable() == obj.comparable() => report.identical += 1,
                Some(t) => {
                    let why = first_difference(&t.comparable(), &obj.comparable());
                    schema_conflict(&obj.label(), &why, self.ignore_conflicts)?;
                    report.ignored += 1;
                }
                None => missing.entry(obj.kind).or_default().push(obj),
            }
        }
        for (kind, objects) in missing {
            let mut steps = steps(objects);
            if kind == Kind::Index {
                // The largest tables first, so that the last one to finish starts early.
                let sizes = self.table_sizes(&dbs).await?;
                let size = |s: &Vec<Object>| sizes.get(&(s[0].db.clone(), s[0].table.clone()));
                steps.sort_by(|a, b| size(b).cmp(&size(a)));
            }
            // Databases come first, and views, triggers and events in order (a view may
            // select from another, triggers fire in the order they were created); the rest
            // are independent of each other.
            let workers = match kind {
                Kind::Table
                | Kind::Sequence
                | Kind::Function
                | Kind::Procedure
                | Kind::Index
                | Kind::ForeignKey => self.workers,
                _ => 1,
            };
            let done = self
                .apply(steps, workers, kind == Kind::View, created)
                .await?;
            report.add(&done);
        }
        if phase == Phase::PostData && self.wanted(Kind::Sequence) {
            self.sequence_values(&dbs).await?;
        }
        report.log(phase);
        Ok(report)
    }
}

/// The statements that create `objects` (all of one kind): one per object, except that the
/// indexes (or foreign keys) of a table are added by one `ALTER TABLE`, which reads the
/// table once.
fn steps(objects: Vec<Object>) -> Vec<Vec<Object>> {
    let mut out: Vec<Vec<Object>> = Vec::new();
    for obj in objects {
        let grouped = matches!(obj.kind, Kind::Index | Kind::ForeignKey);
        match out.last_mut() {
            Some(last) if grouped && last[0].db == obj.db && last[0].table == obj.table => {
                last.push(obj)
            }
            _ => out.push(vec![obj]),
        }
    }
    out
}

/// The statement of a step.
fn statement(step: &[Object]) -> String {
    let first = &step[0];
    match first.kind {
        Kind::Index | Kind::ForeignKey => {
            let adds: Vec<String> = step.iter().map(|o| format!("ADD {}", o.sql)).collect();
            format!("ALTER TABLE {} {}", quote(&first.table), adds.join(", "))
        }
        _ => first.definition(),
    }
}

impl MysqlSchema {
    /// The size of each table of `dbs` in the source, data and indexes, by the server's
    /// estimate.
    async fn table_sizes(&self, dbs: &[String]) -> Result<HashMap<(String, String), u64>> {
        let mut sizes = HashMap::new();
        for db in dbs {
            let rows: Vec<(String, Option<u64>)> = sqlx::query_as(
                "SELECT TABLE_NAME, DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = ?",
            )
            .bind(db)
            .fetch_all(&self.src)
            .await
            .context("cannot read the sizes of the source's tables")?;
            for (table, size) in rows {
                sizes.insert((db.clone(), table), size.unwrap_or(0));
            }
        }
        Ok(sizes)
    }

    /// Runs `steps` on `workers` connections, each taking the next step in turn (with one
    /// worker, in order). A step that fails is checked again against the target: objects an
    /// earlier, killed run's statement created meanwhile are identical, not an error. With
    /// `retry_missing`, a step that names an object not created yet waits for a later round.
    async fn apply(
        &self,
        steps: Vec<Vec<Object>>,
        workers: usize,
        retry_missing: bool,
        created: &Created,
    ) -> Result<SchemaReport> {
        let mut pending = steps;
        let mut total = SchemaReport::default();
        loop {
            let queue = std::sync::Mutex::new(std::mem::take(&mut pending).into_iter());
            let deferred = std::sync::Mutex::new(Vec::new());
            let reports = futures::future::try_join_all((0..workers.max(1)).map(|_| async {
                let mut report = SchemaReport::default();
                loop {
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
                    let Some(step) = next else { break };
                    match self.run_step(&step).await {
                        Ok(()) => {
                            report.created += step.len();
                            step.iter().for_each(|o| created(o.label()));
                        }
                        Err(e) => {
                            if self.now_identical(&step).await? {
                                report.identical += step.len();
                            } else if retry_missing
                                && e.downcast_ref::<sqlx::Error>().and_then(error_number)
                                    == Some(ER_NO_SUCH_TABLE)
                            {
                                deferred
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push((step, e));
                            } else {
                                return Err(e.context(format!(
                                    "cannot create {} in the target",
                                    step[0].label()
                                )));
                            }
                        }
                    }
                }
                Ok::<_, anyhow::Error>(report)
            }))
            .await?;
            let mut progress = 0;
            for r in &reports {
                progress += r.created + r.identical;
                total.add(r);
            }
            let deferred = deferred.into_inner().unwrap_or_else(|p| p.into_inner());
            if deferred.is_empty() {
                return Ok(total);
            }
            if progress == 0 {
                let (step, e) = deferred.into_iter().next().expect("not empty");
                return Err(e.context(format!("cannot create {} in the target", step[0].label())));
            }
            pending = deferred.into_iter().map(|(s, _)| s).collect();
        }
    }

    /// Runs one step on a connection of its own database and, for routines, triggers and
    /// events, of the `sql_mode` and time zone they were created under.
    async fn run_step(&self, step: &[Object]) -> Result<()> {
        let first = &step[0];
        let mut conn = self
            .dst
            .acquire()
            .await
            .context("cannot connect to the target")?;
        if first.kind != Kind::Database {
            conn.execute(format!("USE {}", quote(&first.db)).as_str())
                .await?;
        }
        let mode = first.sql_mode.as_deref().unwrap_or(DDL_SQL_MODE);
        sqlx::query("SET SESSION sql_mode = ?")
            .bind(mode)
            .execute(&mut *conn)
            .await?;
        if let Some(tz) = &first.time_zone {
            sqlx::query("SET SESSION time_zone = ?")
                .bind(tz)
                .execute(&mut *conn)
                .await?;
        }
        let result = conn.execute(statement(step).as_str()).await;
        if first.time_zone.is_some() {
            conn.execute("SET SESSION time_zone = '+00:00'").await?;
        }
        result?;
        Ok(())
    }

    /// Whether the target now holds every object of `step`, identical to the source's.
    async fn now_identical(&self, step: &[Object]) -> Result<bool> {
        let first = &step[0];
        let kind = match first.kind {
            Kind::Index | Kind::ForeignKey => Kind::Table,
            k => k,
        };
        let shown = show(&self.dst, kind, &first.db, &first.table)
            .await?
            .unwrap_or_default();
        let there: HashMap<Key, String> = shown.iter().map(|o| (o.key(), o.comparable())).collect();
        Ok(step
            .iter()
            .all(|o| there.get(&o.key()) == Some(&o.comparable())))
    }

    /// Sets each MariaDB sequence of `dbs` in the target to the source's next value.
    async fn sequence_values(&self, dbs: &[String]) -> Result<()> {
        for db in dbs {
            let sql = "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? \
                       AND TABLE_TYPE = 'SEQUENCE' ORDER BY TABLE_NAME";
            for name in names(&self.src, sql, db).await? {
                let seq = table_name(&TableId::new(db.clone(), name.clone()));
                let next: i64 =
                    sqlx::query_scalar(&format!("SELECT next_not_cached_value FROM {seq}"))
                        .fetch_one(&self.src)
                        .await
                        .with_context(|| {
                            format!("cannot read the value of SEQUENCE {db}.{name}")
                        })?;
                // SETVAL takes literals only.
                sqlx::query(&format!("SELECT SETVAL({seq}, {next}, 0)"))
                    .execute(&self.dst)
                    .await
                    .with_context(|| {
                        format!("cannot set the value of SEQUENCE {db}.{name} in the target")
                    })?;
            }
        }
        Ok(())
    }
}

/// The `sql_mode` tables and views are created under: no silent change of engine, and
/// dates and defaults taken as the source shows them.
const DDL_SQL_MODE: &str = "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

#[cfg(test)]
mod tests {
    use super::*;

    const CREATE: &str = "CREATE TABLE `t``x` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  \
`k` int(11) DEFAULT NULL,\n  `p` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `u` (`p`),\n  \
KEY `k_idx` (`k`,`p`),\n  KEY `id_k` (`id`,`k`),\n  \
CONSTRAINT `fk``1` FOREIGN KEY (`p`) REFERENCES `parent` (`id`) ON DELETE CASCADE,\n  \
CONSTRAINT `c` CHECK (`k` > 0)\n) ENGINE=InnoDB AUTO_INCREMENT=17 DEFAULT CHARSET=utf8mb4";

    #[test]
    fn a_table_defers_its_secondary_indexes_and_foreign_keys() {
        let objects = split_table("db", "t`x", CREATE);
        let kinds: Vec<(Kind, &str, &str)> = objects
            .iter()
            .map(|o| (o.kind, o.name.as_str(), o.sql.as_str()))
            .collect();
        assert_eq!(
            kinds[1..],
            [
                (Kind::Index, "k_idx", "KEY `k_idx` (`k`,`p`)"),
                (
                    Kind::ForeignKey,
                    "fk`1",
                    "CONSTRAINT `fk``1` FOREIGN KEY (`p`) REFERENCES `parent` (`id`) ON DELETE CASCADE"
                ),
            ]
        );
        // The key of the auto-increment column stays, and the check keeps no comma.
        assert_eq!(
            objects[0].sql,
            "CREATE TABLE `t``x` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `k` int(11) DEFAULT NULL,\n  \
`p` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `u` (`p`),\n  KEY `id_k` (`id`,`k`),\n  \
CONSTRAINT `c` CHECK (`k` > 0)\n) ENGINE=InnoDB AUTO_INCREMENT=17 DEFAULT CHARSET=utf8mb4"
        );
        assert!(!objects[0].comparable().contains("AUTO_INCREMENT=17"));
        assert!(objects[0].comparable().contains("AUTO_INCREMENT,"));
    }

    #[test]
    fn the_definer_is_left_out() {
        let sql = "CREATE ALGORITHM=UNDEFINED DEFINER=`ro``ot`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1";
        assert_eq!(
            without_definer(sql),
            "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1"
        );
        assert_eq!(
            without_definer("CREATE DEFINER=`role` PROCEDURE `p`() BEGIN END"),
            "CREATE PROCEDURE `p`() BEGIN END"
        );
    }

    #[test]
    fn steps_group_a_tables_indexes() {
        let objects = split_table("db", "t`x", CREATE);
        let mut indexes = objects[1..].to_vec();
        indexes.push(Object {
            table: "other".into(),
            ..indexes[0].clone()
        });
        indexes.retain(|o| o.kind == Kind::Index);
        let steps = steps(indexes);
        assert_eq!(steps.len(), 2);
        assert_eq!(
            statement(&steps[0]),
            "ALTER TABLE `t``x` ADD KEY `k_idx` (`k`,`p`)"
        );
    }
}

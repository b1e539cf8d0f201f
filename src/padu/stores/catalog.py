"""The catalog: small transactional state (snapshots, crosswalk, audit) in SQLAlchemy 2.

SQLite by default, PostgreSQL for a server. The schema is owned by Alembic migrations that
ship inside the package; :meth:`Catalog.connect` upgrades to head.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    false,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from padu.audit import (
    JOB_FINISH,
    JOB_SUBMIT,
    LINK_LEDGER,
    LINK_MAPPING,
    MEASURE_SAVE,
    PROGRAMME_IMPORT,
    REGISTER_IMPORT,
    REGISTER_REFERENCE,
    SCENARIO_SAVE,
    TARGET_ADOPT,
    USER_ADD,
    USER_DISABLE,
    USER_ENABLE,
    USER_PASSWORD,
    USER_TOKEN,
    audit_row,
)
from padu.errors import InputError, InternalError, NotFound
from padu.stores.pause import pause_point
from padu.stores.warehouse import lock_key

PENDING, COMMITTED = "pending", "committed"
MIGRATION_LOCK = "padu.catalog.migrate"


class Base(DeclarativeBase):
    pass


class StoreIdentityRow(Base):
    """The identity this catalog shares with its warehouse (one row, ``slot`` 1)."""

    __tablename__ = "store_identity"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(36))
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)


class BatchRow(Base):
    """A warehouse batch: pending while its writer works, committed with its catalog row."""

    __tablename__ = "batch"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # snapshot | ledger | adopsi
    state: Mapped[str] = mapped_column(String(10))  # pending | committed
    pelaku: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    dimulai: Mapped[dt.datetime] = mapped_column(DateTime)
    selesai: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class SnapshotRow(Base):
    """A dated, labelled release of the register; its rows live in the warehouse batch."""

    __tablename__ = "snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch: Mapped[str] = mapped_column(String(40), unique=True)
    tanggal: Mapped[dt.date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200))
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)
    skema_wilayah: Mapped[str] = mapped_column(String(20))
    keluarga: Mapped[int] = mapped_column(Integer)
    individu: Mapped[int] = mapped_column(Integer)
    temuan: Mapped[int] = mapped_column(Integer)
    sumber: Mapped[list[str]] = mapped_column(JSON)


class CrosswalkRow(Base):
    """One BPS code and the Kemendagri code it corresponds to, as loaded by a user."""

    __tablename__ = "wilayah_crosswalk"

    kode_bps: Mapped[str] = mapped_column(String(20), primary_key=True)
    kode_kemendagri: Mapped[str] = mapped_column(String(20))
    tingkat: Mapped[str] = mapped_column(String(20))
    sumber: Mapped[str] = mapped_column(String(300))


class MeasureVersionRow(Base):
    """One saved version of a user-defined measure (its YAML text)."""

    __tablename__ = "measure_version"

    measure_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[str] = mapped_column(Text)
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))


class ScenarioVersionRow(Base):
    """One saved version of a planning scenario (its YAML text, as ``dump_scenario`` writes it)."""

    __tablename__ = "skenario_versi"

    scenario_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[str] = mapped_column(Text)
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))


class AgencyRow(Base):
    """An agency (OPD, vertical agency, BAZNAS, CSR) that owns programmes."""

    __tablename__ = "agency"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))


class ProgrammeVersionRow(Base):
    """One version of a programme's definition (JSON); the highest version is current."""

    __tablename__ = "programme_version"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency: Mapped[str] = mapped_column(String(60))
    definition: Mapped[str] = mapped_column(Text)
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))


class UserRow(Base):
    """An account (padu.accounts): its role, its agency (``opd`` only) and its password's
    argon2 hash. The hash never leaves the catalog layer and the account service."""

    __tablename__ = "pengguna"

    username: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str | None] = mapped_column(String(60), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean)
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)
    sandi_diubah: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))
    #: made by ``make demo`` with a published password: refused outside demo mode
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ApiTokenRow(Base):
    """An API token of an account: only the SHA-256 of the token is kept, so a copy of the
    catalog gives no working token. Revoked tokens stay, for the record."""

    __tablename__ = "token_api"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(40), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)
    terakhir_dipakai: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    dicabut: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    pelaku: Mapped[str] = mapped_column(String(100))


class AuditRow(Base):
    """One recorded event (import accepted, personal data exported, ...)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    waktu: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))
    jenis: Mapped[str] = mapped_column(String(60))
    rincian: Mapped[str] = mapped_column(Text)


class ReferenceRow(Base):
    """A snapshot agreed as a fiscal year's common data basis: the newest row of a year
    is its reference; earlier rows are the history (who changed it, when and why)."""

    __tablename__ = "register_reference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tahun: Mapped[int] = mapped_column(Integer, index=True)
    snapshot_id: Mapped[int] = mapped_column(Integer)
    alasan: Mapped[str] = mapped_column(Text)
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))


class LinkMappingRow(Base):
    """The column mapping an agency confirmed for its beneficiary lists (field -> header)."""

    __tablename__ = "link_mapping"

    agency: Mapped[str] = mapped_column(String(60), primary_key=True)
    mapping: Mapped[str] = mapped_column(Text)
    disimpan: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))


class LinkDecisionRow(Base):
    """A reviewer's decision on one (list row content, register person) pair."""

    __tablename__ = "link_decision"

    row_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    decision: Mapped[str] = mapped_column(String(10))  # same | different
    programme: Mapped[str] = mapped_column(String(60))
    source_file: Mapped[str] = mapped_column(String(300))
    diputuskan: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))


class LinkModelRow(Base):
    """The u probabilities learnt from one snapshot's register (splink comparisons, JSON)."""

    __tablename__ = "link_model"

    snapshot_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comparisons: Mapped[str] = mapped_column(Text)
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)


class LedgerRow(Base):
    """One linked beneficiary list; its rows live in the warehouse under ``batch``."""

    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch: Mapped[str] = mapped_column(String(40), unique=True)
    programme: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    snapshot_id: Mapped[int] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text)
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))


class AdoptionRow(Base):
    """A drawn target list adopted as a programme's planned recipients for a fiscal year.

    Its units live in the warehouse table ``rencana`` under ``batch``. The newest adoption
    of a programme and year counts; earlier ones stay as the history (who, when, which list).
    """

    __tablename__ = "adopsi"
    __allow_unmapped__ = True  # the two attributes below are answers, not columns

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch: Mapped[str] = mapped_column(String(40), unique=True)
    programme: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer, index=True)
    rule_version: Mapped[int] = mapped_column(Integer)
    snapshot_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    eligible: Mapped[int] = mapped_column(Integer)
    selected: Mapped[int] = mapped_column(Integer)
    cost: Mapped[int] = mapped_column(BigInteger)
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime)
    pelaku: Mapped[str] = mapped_column(String(100))

    #: Not stored. Set on the row :meth:`Catalog.add_adoption` returns: the adoption of the
    #: same programme and year it replaced (None for the first).
    replaces: int | None = None
    #: Not stored. Set by ``padu.programmes.adopt.adopt_target_list``: why the adopted list
    #: is flagged (drawn from another snapshot than the year's agreed reference).
    warnings: tuple[str, ...] = ()


#: Audit events of background jobs (padu.jobs): a job was queued, a job ended (any state).
#: A job's states: queued, running, done, failed. Only the first two can still change.
JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED = "antri", "berjalan", "selesai", "gagal"


class JobRow(Base):
    """One background job (padu.jobs): who asked for what, how far it is, how it ended.

    ``pid`` and ``host`` name the process that runs it, so a restarted server can tell a
    job that died with its predecessor from one another live process is still running.
    """

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    params: Mapped[dict[str, object]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), index=True)
    progress: Mapped[float] = mapped_column()
    message: Mapped[str] = mapped_column(Text)
    result: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime)
    started: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))


def _migrations_dir() -> str:
    return str(resources.files("padu").joinpath("stores", "migrations"))


@functools.cache
def _head() -> str:
    """The newest migration's revision: the one no other migration builds on.

    Read from the scripts' ``revision``/``down_revision`` lines, so that a connection to a
    current schema need not import alembic (half a second on every command)."""
    found: dict[str, str | None] = {}
    for script in Path(_migrations_dir(), "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        rev = re.search(r'^revision\s*(?::[^=]*)?=\s*"([^"]+)"', text, re.M)
        down = re.search(r'^down_revision\s*(?::[^=]*)?=\s*"([^"]+)"', text, re.M)
        if rev:
            found[rev[1]] = down[1] if down else None
    heads = set(found) - {d for d in found.values() if d}
    if len(heads) != 1:
        raise InternalError(f"migrasi katalog tidak berurutan: kepala {sorted(heads)}")
    return heads.pop()


def _revision(engine: Engine) -> str | None:
    """The catalog's current migration, or None when it has none yet."""
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except Exception:  # no table yet (a new catalog), or not readable: let alembic decide
        return None


class Catalog:
    """A SQLAlchemy engine over the migrated catalog schema."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def connect(cls, url: str) -> Catalog:
        """Open the catalog at ``url`` and bring its schema to the latest migration.

        Two first connections do not race: on PostgreSQL the upgrade holds an advisory lock,
        on SQLite it runs in one ``BEGIN IMMEDIATE`` transaction (the file's write lock).
        """
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        sqlite = url.startswith("sqlite")
        # another process may hold SQLite's write lock for a whole migration: wait, don't fail
        engine = create_engine(url, connect_args={"timeout": 60} if sqlite else {})
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        if _revision(engine) != _head():  # most connections find the schema current
            _upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s
            kinds = [obj.jenis for obj in s.new if isinstance(obj, AuditRow)]
            if kinds:
                pause_point("catalog.audit")
                for kind in kinds:
                    pause_point(f"catalog.audit:{kind}")

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold an exclusive lock named ``name`` across processes while the block runs.

        PostgreSQL: a session advisory lock on a connection of its own. SQLite: nothing
        extra (a DuckDB warehouse admits one writing process, and SQLite serialises writes).
        """
        if self.engine.dialect.name != "postgresql":
            yield
            return
        key = lock_key(name)
        with self.engine.connect() as conn:
            conn.execute(select(func.pg_advisory_lock(key)))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(select(func.pg_advisory_unlock(key)))
                conn.commit()

    # -- store identity and batches ----------------------------------------------------
    def identity(self) -> str | None:
        """The store identity shared with the warehouse (None before the first pairing)."""
        with self.session() as s:
            row = s.get(StoreIdentityRow, 1)
            return None if row is None else row.store_id

    def set_identity(self, store_id: str) -> str:
        """Record ``store_id`` unless an identity is already there; the identity now held."""
        with self.session() as s:
            row = s.get(StoreIdentityRow, 1)
            if row is None:
                s.add(StoreIdentityRow(slot=1, store_id=store_id, dibuat=_now()))
                return store_id
            return row.store_id

    def describes_data(self) -> bool:
        """Whether any snapshot, ledger or adoption names rows in a warehouse."""
        with self.session() as s:
            return bool(
                s.scalars(select(SnapshotRow.id).limit(1)).first()
                or s.scalars(select(LedgerRow.id).limit(1)).first()
                or s.scalars(select(AdoptionRow.id).limit(1)).first()
            )

    def begin_batch(self, batch: str, kind: str, actor: str, pid: int, host: str) -> None:
        """Record ``batch`` as pending before any of its warehouse rows are written."""
        with self.session() as s:
            s.add(
                BatchRow(
                    id=batch, kind=kind, state=PENDING, pelaku=actor, pid=pid, host=host,
                    dimulai=_now(), selesai=None,
                )
            )  # fmt: skip

    def pending_batches(self, kind: str) -> list[BatchRow]:
        with self.session() as s:
            q = select(BatchRow).where(BatchRow.kind == kind, BatchRow.state == PENDING)
            return list(s.scalars(q.order_by(BatchRow.dimulai)))

    def forget_batch(self, batch: str) -> None:
        """Remove a pending batch record (after its warehouse rows were deleted)."""
        with self.session() as s:
            s.execute(delete(BatchRow).where(BatchRow.id == batch, BatchRow.state == PENDING))

    def _commit_batch(self, s: Session, batch: str) -> None:
        done = s.execute(
            update(BatchRow)
            .where(BatchRow.id == batch, BatchRow.state == PENDING)
            .values(state=COMMITTED, selesai=_now())
        )
        if getattr(done, "rowcount", 0) != 1:
            raise InternalError(
                f"batch {batch} tidak lagi tercatat sebagai tertunda (dibersihkan sebagai "
                "batch yang ditinggalkan?); tulis ulang data ini"
            )

    # -- snapshots ---------------------------------------------------------------------
    def add_snapshot(
        self, row: SnapshotRow, event_detail: Mapping[str, object], actor: str
    ) -> SnapshotRow:
        """Make a written pending batch visible: commit it, add the snapshot and its audit
        event, in one transaction."""
        with self.session() as s:
            self._commit_batch(s, row.batch)
            s.add(row)
            s.flush()
            s.add(audit_row(REGISTER_IMPORT, {"snapshot": row.id, **event_detail}, actor))
        return row

    def snapshots(self) -> list[SnapshotRow]:
        with self.session() as s:
            return list(s.scalars(select(SnapshotRow).order_by(SnapshotRow.id)))

    def snapshot(self, ref: str | int) -> SnapshotRow:
        """A snapshot by id, by exact label, ``latest``, or ``acuan:YYYY`` (the snapshot
        agreed as that fiscal year's reference)."""
        if isinstance(ref, str) and ref.startswith("acuan:"):
            year = ref.removeprefix("acuan:")
            agreed = self.reference(int(year)) if year.isdigit() else None
            if agreed is None:
                raise NotFound(
                    f"belum ada snapshot acuan untuk tahun {year}; "
                    "tetapkan dengan `padu register reference SNAPSHOT --year TAHUN`"
                )
            ref = agreed.snapshot_id
        with self.session() as s:
            if ref == "latest":
                found = s.scalars(select(SnapshotRow).order_by(SnapshotRow.id.desc())).first()
            elif isinstance(ref, int) or str(ref).isdigit():
                found = s.get(SnapshotRow, int(ref))
            else:
                found = s.scalars(select(SnapshotRow).where(SnapshotRow.label == ref)).first()
        if found is None:
            raise NotFound(f"snapshot {ref!r} tidak ada; lihat `padu register list`")
        return found

    def visible_batches(self) -> set[str]:
        with self.session() as s:
            return set(s.scalars(select(SnapshotRow.batch)))

    # -- crosswalk ---------------------------------------------------------------------
    def crosswalk(self) -> dict[str, str]:
        with self.session() as s:
            return {r.kode_bps: r.kode_kemendagri for r in s.scalars(select(CrosswalkRow))}

    # -- measures ----------------------------------------------------------------------
    def save_measure(self, measure_id: str, definition: str, actor: str) -> int:
        """Store ``definition`` as the next version of ``measure_id``; the version number."""
        with self.session() as s:
            last = s.scalars(
                select(MeasureVersionRow.version)
                .where(MeasureVersionRow.measure_id == measure_id)
                .order_by(MeasureVersionRow.version.desc())
            ).first()
            version = (last or 0) + 1
            s.add(
                MeasureVersionRow(
                    measure_id=measure_id,
                    version=version,
                    definition=definition,
                    dibuat=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    pelaku=actor,
                )
            )
            s.add(audit_row(MEASURE_SAVE, {"measure": measure_id, "version": version}, actor))
        return version

    def measure_versions(self, measure_id: str | None = None) -> list[MeasureVersionRow]:
        with self.session() as s:
            q = select(MeasureVersionRow).order_by(
                MeasureVersionRow.measure_id, MeasureVersionRow.version
            )
            if measure_id:
                q = q.where(MeasureVersionRow.measure_id == measure_id)
            return list(s.scalars(q))

    # -- scenarios ---------------------------------------------------------------------
    def save_scenario(self, scenario_id: str, definition: str, actor: str) -> int:
        """Store ``definition`` as the next version of ``scenario_id`` unless it is the text
        of the newest version already (then that version, and no event); the version number.

        The comparison, the new row and its ``scenario.save`` event share one transaction.
        """
        with self.session() as s:
            last = s.scalars(
                select(ScenarioVersionRow)
                .where(ScenarioVersionRow.scenario_id == scenario_id)
                .order_by(ScenarioVersionRow.version.desc())
            ).first()
            if last is not None and last.definition == definition:
                return last.version
            version = (last.version if last else 0) + 1
            s.add(
                ScenarioVersionRow(
                    scenario_id=scenario_id,
                    version=version,
                    definition=definition,
                    dibuat=_now(),
                    pelaku=actor,
                )
            )
            s.add(audit_row(SCENARIO_SAVE, {"scenario": scenario_id, "version": version}, actor))
        return version

    def scenario_versions(self, scenario_id: str | None = None) -> list[ScenarioVersionRow]:
        """Every stored version (of one scenario, or of all), oldest first."""
        with self.session() as s:
            q = select(ScenarioVersionRow).order_by(
                ScenarioVersionRow.scenario_id, ScenarioVersionRow.version
            )
            if scenario_id:
                q = q.where(ScenarioVersionRow.scenario_id == scenario_id)
            return list(s.scalars(q))

    # -- agencies and programmes ---------------------------------------------------------
    def save_programmes(
        self,
        agencies: Iterable[tuple[str, str, str]],
        programmes: Iterable[tuple[str, str, dict[str, object]]],
        *,
        actor: str,
    ) -> dict[str, int]:
        """Upsert agencies; store each programme definition that changed as a new version.

        Returns the current version of every programme given.
        """
        versions: dict[str, int] = {}
        with self.session() as s:
            for code, name, kind in agencies:
                row = s.get(AgencyRow, code)
                if row is None:
                    s.add(AgencyRow(code=code, name=name, kind=kind))
                else:
                    row.name, row.kind = name, kind
            for code, agency, definition in programmes:
                text = json.dumps(definition, sort_keys=True, ensure_ascii=False)
                last = s.scalars(
                    select(ProgrammeVersionRow)
                    .where(ProgrammeVersionRow.code == code)
                    .order_by(ProgrammeVersionRow.version.desc())
                ).first()
                if last is not None and last.definition == text:
                    versions[code] = last.version
                    continue
                version = (last.version if last else 0) + 1
                s.add(
                    ProgrammeVersionRow(
                        code=code,
                        version=version,
                        agency=agency,
                        definition=text,
                        dibuat=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                        pelaku=actor,
                    )
                )
                versions[code] = version
            s.add(audit_row(PROGRAMME_IMPORT, {"versions": versions}, actor))
        return versions

    def agencies(self) -> list[AgencyRow]:
        with self.session() as s:
            return list(s.scalars(select(AgencyRow).order_by(AgencyRow.code)))

    def programme_versions(self, code: str | None = None) -> list[ProgrammeVersionRow]:
        """Every version (of one programme, or of all), oldest first."""
        with self.session() as s:
            q = select(ProgrammeVersionRow).order_by(
                ProgrammeVersionRow.code, ProgrammeVersionRow.version
            )
            if code:
                q = q.where(ProgrammeVersionRow.code == code)
            return list(s.scalars(q))

    # -- accounts (padu.accounts owns the rules; these keep rows and events together) ----
    def add_user(self, row: UserRow) -> UserRow:
        """Store a new account and its ``user.add`` event (actor: ``row.pelaku``) in one
        transaction; InputError when the username is taken."""
        detail: dict[str, object] = {
            "username": row.username,
            "role": row.role,
            "agency": row.agency,
        }
        if row.demo:
            detail["demo"] = True
        try:
            with self.session() as s:
                if s.get(UserRow, row.username) is not None:
                    raise InputError(f"pengguna {row.username} sudah ada")
                s.add(row)
                s.add(audit_row(USER_ADD, detail, row.pelaku))
                s.flush()
                s.expunge(row)
        except IntegrityError:  # another process added the same name meanwhile
            raise InputError(f"pengguna {row.username} sudah ada") from None
        return row

    def user(self, username: str) -> UserRow | None:
        with self.session() as s:
            return s.get(UserRow, username)

    def users(self) -> list[UserRow]:
        with self.session() as s:
            return list(s.scalars(select(UserRow).order_by(UserRow.username)))

    def set_user_active(self, username: str, active: bool, actor: str) -> tuple[UserRow, int]:
        """Enable or disable an account, with its ``user.enable``/``user.disable`` event.

        Disabling also revokes the account's API tokens (a re-enabled account gets new ones,
        so a token copied before stays dead); returns the row and how many were revoked.
        """
        with self.session() as s:
            row = s.get(UserRow, username)
            if row is None:
                raise NotFound(f"pengguna {username} tidak ada; lihat `padu user list`")
            revoked = 0
            if not active:
                done = s.execute(
                    update(ApiTokenRow)
                    .where(ApiTokenRow.username == username, ApiTokenRow.dicabut.is_(None))
                    .values(dicabut=_now())
                )
                revoked = int(getattr(done, "rowcount", 0) or 0)
            row.active = active
            detail: dict[str, object] = {"username": username}
            if not active:
                detail["tokens_revoked"] = revoked
            s.add(audit_row(USER_DISABLE if not active else USER_ENABLE, detail, actor))
            s.flush()
            s.expunge(row)
        return row, revoked

    def set_password_hash(self, username: str, password_hash: str, actor: str | None) -> UserRow:
        """Replace an account's password hash. With an ``actor``: a new password (its time
        and a ``user.password`` event); without: the same password rehashed with current
        parameters at login (nothing the user did, so no event and no new time)."""
        with self.session() as s:
            row = s.get(UserRow, username)
            if row is None:
                raise NotFound(f"pengguna {username} tidak ada; lihat `padu user list`")
            row.password_hash = password_hash
            if actor is not None:
                row.sandi_diubah = _now()
                s.add(audit_row(USER_PASSWORD, {"username": username}, actor))
            s.flush()
            s.expunge(row)
        return row

    def add_token(self, row: ApiTokenRow) -> ApiTokenRow:
        """Store a token's hash and its ``user.token`` event (actor: ``row.pelaku``)."""
        with self.session() as s:
            s.add(row)
            s.flush()
            detail = {"username": row.username, "token": row.id, "label": row.label}
            s.add(audit_row(USER_TOKEN, {**detail, "action": "issue"}, row.pelaku))
            s.expunge(row)
        return row

    def use_token(self, digest: str, touch_after: dt.timedelta) -> UserRow | None:
        """The active account owning the unrevoked token with this SHA-256, or None; its
        last use is written when older than ``touch_after`` (not one write per request)."""
        with self.session() as s:
            found = s.execute(
                select(ApiTokenRow, UserRow)
                .join(UserRow, UserRow.username == ApiTokenRow.username)
                .where(ApiTokenRow.token_sha256 == digest, ApiTokenRow.dicabut.is_(None))
            ).first()
            if found is None or not found[1].active:
                return None
            token, user = found
            now = _now()
            if token.terakhir_dipakai is None or now - token.terakhir_dipakai >= touch_after:
                token.terakhir_dipakai = now
            s.flush()
            s.expunge(user)
            return user

    def tokens(self, username: str | None = None) -> list[ApiTokenRow]:
        """Every token row (of one account, or of all), oldest first."""
        with self.session() as s:
            q = select(ApiTokenRow).order_by(ApiTokenRow.id)
            if username is not None:
                q = q.where(ApiTokenRow.username == username)
            return list(s.scalars(q))

    def revoke_token(self, token_id: int, actor: str) -> ApiTokenRow:
        """Revoke one token (kept, marked revoked) with its ``user.token`` event; revoking a
        revoked token changes nothing and records nothing."""
        with self.session() as s:
            row = s.get(ApiTokenRow, token_id)
            if row is None:
                raise NotFound(f"token {token_id} tidak ada; lihat `padu user tokens`")
            if row.dicabut is None:
                row.dicabut = _now()
                detail = {"username": row.username, "token": row.id, "label": row.label}
                s.add(audit_row(USER_TOKEN, {**detail, "action": "revoke"}, actor))
            s.flush()
            s.expunge(row)
        return row

    # -- linkage -----------------------------------------------------------------------
    def set_reference(self, year: int, snapshot_id: int, why: str, actor: str) -> ReferenceRow:
        """Record ``snapshot_id`` as ``year``'s agreed reference (audited, one transaction).

        The earlier reference of that year stays in the history; nothing else changes it
        (a newer snapshot never becomes the reference by itself)."""
        self.snapshot(snapshot_id)  # NotFound for an unknown snapshot
        with self.session() as s:
            row = ReferenceRow(
                tahun=year, snapshot_id=snapshot_id, alasan=why, dibuat=_now(), pelaku=actor
            )
            s.add(row)
            detail = {"year": year, "snapshot": snapshot_id, "why": why}
            s.add(audit_row(REGISTER_REFERENCE, detail, actor))
            s.flush()
            s.expunge(row)
            return row

    def references(self, year: int | None = None) -> list[ReferenceRow]:
        """The reference history, oldest first (of one year, or of all)."""
        with self.session() as s:
            q = select(ReferenceRow).order_by(ReferenceRow.tahun, ReferenceRow.id)
            if year is not None:
                q = q.where(ReferenceRow.tahun == year)
            rows = list(s.scalars(q))
            for r in rows:
                s.expunge(r)
            return rows

    def reference(self, year: int) -> ReferenceRow | None:
        """The snapshot agreed for ``year`` now, or None when none was agreed."""
        history = self.references(year)
        return history[-1] if history else None

    def save_mapping(self, agency: str, mapping: Mapping[str, str], actor: str) -> None:
        """Store (replace) the column mapping confirmed for ``agency``."""
        text = json.dumps(dict(mapping), sort_keys=True, ensure_ascii=False)
        with self.session() as s:
            row = s.get(LinkMappingRow, agency)
            now = _now()
            if row is None:
                s.add(LinkMappingRow(agency=agency, mapping=text, disimpan=now, pelaku=actor))
            else:
                row.mapping, row.disimpan, row.pelaku = text, now, actor
            s.add(audit_row(LINK_MAPPING, {"agency": agency, "mapping": dict(mapping)}, actor))

    def mapping(self, agency: str) -> dict[str, str] | None:
        with self.session() as s:
            row = s.get(LinkMappingRow, agency)
            return None if row is None else dict(json.loads(row.mapping))

    def decisions(self, row_keys: Iterable[str]) -> list[LinkDecisionRow]:
        keys = sorted(set(row_keys))
        out: list[LinkDecisionRow] = []
        with self.session() as s:
            for i in range(0, len(keys), 500):
                q = select(LinkDecisionRow).where(LinkDecisionRow.row_key.in_(keys[i : i + 500]))
                out += list(s.scalars(q))
        return out

    def link_model(self, snapshot_id: int) -> list[dict[str, object]] | None:
        with self.session() as s:
            row = s.get(LinkModelRow, snapshot_id)
            return None if row is None else list(json.loads(row.comparisons))

    def save_link_model(self, snapshot_id: int, comparisons: list[dict[str, object]]) -> None:
        with self.session() as s:
            s.merge(
                LinkModelRow(
                    snapshot_id=snapshot_id, comparisons=json.dumps(comparisons), dibuat=_now()
                )
            )

    def add_ledger(self, row: LedgerRow, event_detail: Mapping[str, object]) -> LedgerRow:
        """Make a written pending ledger batch visible: commit it, add the ledger and its
        audit event (actor: ``row.pelaku``), in one transaction."""
        with self.session() as s:
            self._commit_batch(s, row.batch)
            s.add(row)
            s.flush()
            detail = {
                "ledger": row.id, "programme": row.programme, "year": row.year,
                "snapshot": row.snapshot_id, **event_detail,
            }  # fmt: skip
            s.add(audit_row(LINK_LEDGER, detail, row.pelaku))
        return row

    def ledgers(self, programme: str | None = None, year: int | None = None) -> list[LedgerRow]:
        """Every ledger (newest last), optionally of one programme and year."""
        with self.session() as s:
            q = select(LedgerRow).order_by(LedgerRow.id)
            if programme:
                q = q.where(LedgerRow.programme == programme)
            if year:
                q = q.where(LedgerRow.year == year)
            return list(s.scalars(q))

    # -- adoptions ---------------------------------------------------------------------
    def add_adoption(self, row: AdoptionRow, event_detail: Mapping[str, object]) -> AdoptionRow:
        """Make a written pending adoption batch visible: commit it, add the adoption and its
        ``target.adopt`` audit event (actor: ``row.pelaku``), in one transaction.

        The returned row's ``replaces`` is the adoption of the same programme and year that
        was current until now (it stays in the history)."""
        with self.session() as s:
            self._commit_batch(s, row.batch)
            earlier = s.scalars(
                select(AdoptionRow.id)
                .where(AdoptionRow.programme == row.programme, AdoptionRow.year == row.year)
                .order_by(AdoptionRow.id.desc())
            ).first()
            s.add(row)
            s.flush()
            detail = {
                "adoption": row.id, "programme": row.programme, "year": row.year,
                "snapshot": row.snapshot_id, "rule_version": row.rule_version,
                "selected": row.selected, "hash": row.hash, "replaces": earlier,
                **event_detail,
            }  # fmt: skip
            s.add(audit_row(TARGET_ADOPT, detail, row.pelaku))
        row.replaces = earlier
        return row

    def adoptions(self, programme: str | None = None, year: int | None = None) -> list[AdoptionRow]:
        """Every adoption (newest last), optionally of one programme and/or year."""
        with self.session() as s:
            q = select(AdoptionRow).order_by(AdoptionRow.id)
            if programme:
                q = q.where(AdoptionRow.programme == programme)
            if year is not None:
                q = q.where(AdoptionRow.year == year)
            return list(s.scalars(q))

    # -- audit -------------------------------------------------------------------------
    def record(self, kind: str, detail: Mapping[str, object], actor: str) -> None:
        """Record one audit event (its own transaction)."""
        self.record_all(kind, [detail], actor)

    def record_all(self, kind: str, details: Iterable[Mapping[str, object]], actor: str) -> None:
        """Record several events of one kind in one transaction: all of them or none."""
        with self.session() as s:
            s.add_all(audit_row(kind, d, actor) for d in details)

    def events(self, kind: str | None = None) -> list[AuditRow]:
        with self.session() as s:
            q = select(AuditRow).order_by(AuditRow.id)
            if kind:
                q = q.where(AuditRow.jenis == kind)
            return list(s.scalars(q))

    # -- background jobs -----------------------------------------------------------------
    def add_job(self, row: JobRow) -> JobRow:
        """Record a queued job and its ``job.submit`` event in one transaction; the row,
        with its id."""
        with self.session() as s:
            s.add(row)
            s.flush()
            detail = {"kind": row.kind, "id": row.id, "state": row.state}
            s.add(audit_row(JOB_SUBMIT, detail, row.actor))
            s.expunge(row)
        return row

    def start_job(self, job_id: int, message: str) -> bool:
        """Mark a queued job running; False when it is no longer queued (a restarted server
        already marked it failed, say), and then it must not run."""
        with self.session() as s:
            done = s.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.state == JOB_QUEUED)
                .values(state=JOB_RUNNING, started=_now(), message=message)
            )
            return getattr(done, "rowcount", 0) == 1

    def update_job(self, job_id: int, progress: float, message: str) -> None:
        """Record a running job's progress (nothing once it has ended)."""
        with self.session() as s:
            s.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.state == JOB_RUNNING)
                .values(progress=progress, message=message)
            )

    def finish_job(
        self,
        job_id: int,
        state: str,
        *,
        message: str,
        result: Mapping[str, object] | None = None,
        error: str | None = None,
        actor: str | None = None,
        progress: float | None = None,
    ) -> bool:
        """End a queued or running job as ``state`` with its ``job.finish`` event, in one
        transaction; False (and no event) when it had already ended.

        The event's actor is the job's own unless ``actor`` is given (a restarted server
        that marks its predecessor's jobs failed)."""
        if state not in (JOB_DONE, JOB_FAILED):
            raise InternalError(f"status akhir pekerjaan tidak dikenal: {state!r}")
        with self.session() as s:
            row = s.scalars(
                select(JobRow)
                .where(JobRow.id == job_id, JobRow.state.in_((JOB_QUEUED, JOB_RUNNING)))
                .with_for_update()
            ).first()
            if row is None:
                return False
            row.state, row.message, row.finished = state, message, _now()
            row.result = None if result is None else dict(result)
            row.error = error
            if progress is not None:
                row.progress = progress
            detail = {"kind": row.kind, "id": row.id, "state": state}
            s.add(audit_row(JOB_FINISH, detail, actor or row.actor))
        return True

    def job(self, job_id: int) -> JobRow:
        """One job by id; NotFound when there is none."""
        with self.session() as s:
            row = s.get(JobRow, job_id)
        if row is None:
            raise NotFound(f"pekerjaan {job_id} tidak ada")
        return row

    def jobs(
        self,
        *,
        actor: str | None = None,
        kind: str | None = None,
        states: Iterable[str] | None = None,
        limit: int | None = 50,
    ) -> list[JobRow]:
        """Jobs newest first, optionally of one actor, one kind and some states."""
        with self.session() as s:
            q = select(JobRow).order_by(JobRow.id.desc())
            if actor is not None:
                q = q.where(JobRow.actor == actor)
            if kind is not None:
                q = q.where(JobRow.kind == kind)
            if states is not None:
                q = q.where(JobRow.state.in_(list(states)))
            if limit is not None:
                q = q.limit(limit)
            return list(s.scalars(q))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _upgrade(engine: Engine) -> None:
    """Bring the schema to head in one transaction that excludes other upgraders."""
    from alembic import command  # only where migrations run: alembic is slow to import
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", _migrations_dir())
    if engine.dialect.name == "sqlite":
        # pysqlite starts no transaction before DDL; take the write lock ourselves, waiting
        # for another process's upgrade rather than failing (the default wait is 5 s)
        migrator = create_engine(engine.url, connect_args={"timeout": 60})
        event.listen(migrator, "connect", _sqlite_manual_transactions)
        event.listen(migrator, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        try:
            with migrator.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        finally:
            migrator.dispose()
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(lock_key(MIGRATION_LOCK))))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _sqlite_manual_transactions(dbapi_conn: object, _record: object) -> None:
    dbapi_conn.isolation_level = None  # type: ignore[attr-defined]


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA foreign_keys=ON")
    # Switching a fresh file to WAL needs the lock another process's first migration holds,
    # and SQLite answers "locked" at once instead of waiting: retry for up to a minute.
    deadline = time.monotonic() + 60
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    cur.close()

"""The API's request and response shapes (pydantic), apart from the services' own types.

Field names are English (an API's clients are programs); descriptions and messages are
Indonesian. Every NIK or KK a response carries is masked (``6501••••••••0123``): the
models hold what may leave the server, the routes build them from the services' results.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from padu.services.enrolment import MAX_IDS

#: a NIK or KK as a request gives it: 16 digits
Identifier = Annotated[str, StringConstraints(pattern=r"^[0-9]{16}$")]


class ApiError(BaseModel):
    """The one shape of every error the API answers."""

    error: str = Field(
        description="jenis kesalahan: LoginRequired, Forbidden, NotFound, UsageError, ...",
        examples=["Forbidden"],
    )
    message: str = Field(description="penjelasan dalam bahasa Indonesia (NIK/KK disamarkan)")


class SnapshotRef(BaseModel):
    id: int
    label: str
    tanggal: dt.date


class SnapshotOut(SnapshotRef):
    """A register snapshot and its size."""

    families: int = Field(description="jumlah keluarga")
    persons: int = Field(description="jumlah individu")


class MpiCell(BaseModel):
    """Alkire-Foster figures of one group; null where suppressed for the caller's role."""

    n: int | None = Field(description="keluarga yang dihitung (semua indikator diketahui)")
    q: int | None = Field(description="keluarga miskin multidimensi")
    H: float | None = Field(description="headcount ratio q/n")
    A: float | None = Field(description="intensitas rata-rata keluarga miskin")
    M0: float | None = Field(description="indeks kemiskinan multidimensi H x A")
    suppressed: bool = Field(description="ada angka yang disembunyikan (sel < 5 keluarga)")


class MpiGroup(MpiCell):
    kode: str = Field(description="kode wilayah Kemendagri")
    nama: str | None = Field(description="nama wilayah")


class MpiOut(BaseModel):
    snapshot: SnapshotRef
    measure: str
    k: float = Field(description="ambang kemiskinan (bagian bobot)")
    by: Literal["kabupaten", "kecamatan", "desa"]
    overall: MpiCell
    groups: list[MpiGroup]


class IbrRequest(BaseModel):
    """Either ``nik`` or ``kk`` (not both), 1 to 1,000 numbers of 16 digits."""

    model_config = ConfigDict(extra="forbid")

    nik: list[Identifier] | None = Field(default=None, min_length=1, max_length=MAX_IDS)
    kk: list[Identifier] | None = Field(default=None, min_length=1, max_length=MAX_IDS)
    year: int | None = Field(
        default=None, ge=2000, le=2100, description="tahun anggaran (bawaan: tahun berjalan)"
    )

    @model_validator(mode="after")
    def _one_kind(self) -> IbrRequest:
        if (self.nik is None) == (self.kk is None):
            raise ValueError("isi tepat satu dari nik atau kk")
        return self


class EnrolmentOut(BaseModel):
    programme: str
    name: str | None
    agency: str | None
    basis: Literal["planned", "realised"] = Field(
        description="planned: daftar sasaran yang diadopsi; realised: daftar penerima instansi"
    )
    year: int


class IbrAnswer(BaseModel):
    index: int = Field(description="posisi nomor ini dalam permintaan (mulai 0)")
    id: str = Field(description="nomor yang ditanyakan, disamarkan")
    found: bool = Field(description="dikenal register dan terlihat oleh peran pemanggil")
    programmes: list[EnrolmentOut]


class IbrOut(BaseModel):
    year: int
    snapshot: SnapshotRef
    by: Literal["nik", "kk"]
    scope: str = Field(description="cakupan pemanggil: semua atau instansi:KODE")
    results: list[IbrAnswer]


class JobOut(BaseModel):
    """A background job as its owner (or an admin) sees it."""

    id: int
    kind: str
    actor: str
    state: str = Field(description="antri, berjalan, selesai atau gagal")
    progress: float = Field(ge=0, le=1)
    message: str
    result: dict[str, Any] | None
    error: str | None
    created: dt.datetime
    started: dt.datetime | None
    finished: dt.datetime | None

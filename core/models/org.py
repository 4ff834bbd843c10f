"""The tenant and its people: company, sites, departments, employees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Synced, new_id


class Company(Base):
    __tablename__ = "company"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")

    sites: Mapped[list[Site]] = relationship(back_populates="company")


class Site(Base):
    """A place with its own time zone; shift times are local to it."""

    __tablename__ = "site"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")

    company: Mapped[Company] = relationship(back_populates="sites")


class Department(Synced, Base):
    __tablename__ = "department"
    __collection__ = "departments"

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Hex colour of the department's shift blocks in the grid.
    color: Mapped[str] = mapped_column(String(7), default="#4f7cac")

    site: Mapped[Site] = relationship()


class Employee(Synced, Base):
    __tablename__ = "employee"
    __collection__ = "employees"

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"), index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("department.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200), default=None)
    #: Payroll number or badge id; unique within a company when given.
    code: Mapped[str | None] = mapped_column(String(50), default=None, index=True)
    hourly_rate: Mapped[Decimal] = mapped_column(default=Decimal(0))
    contract_hours: Mapped[Decimal] = mapped_column(default=Decimal(40))
    active: Mapped[bool] = mapped_column(default=True)
    #: First and last day the person is employed (local days of their site), both
    #: inclusive; None is open-ended (records from before these dates were kept have
    #: no start). Rules read them through :mod:`core.employment`.
    employment_start: Mapped[date | None] = mapped_column(default=None)
    employment_end: Mapped[date | None] = mapped_column(default=None)

    department: Mapped[Department | None] = relationship()
    site: Mapped[Site] = relationship()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

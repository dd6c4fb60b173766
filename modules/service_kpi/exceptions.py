# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model.exceptions import AccessError, ValidationError


class SurveyValidationError(ValidationError):
    pass


class SurveyDeleteError(AccessError):
    pass


class BonusError(ValidationError):
    pass


class BonusModificationError(AccessError):
    pass


class DashboardAccessError(AccessError):
    pass


class FineError(ValidationError):
    pass


class FineModificationError(AccessError):
    pass


class ManagementReportError(ValidationError):
    pass

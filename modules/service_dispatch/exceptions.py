# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class DispatchValidationError(ValidationError):
    pass


class DispatchWorkflowError(UserError):
    pass


class DispatchDeleteError(AccessError):
    pass


class DispatchModificationError(AccessError):
    pass


class TechnicianBookedError(UserError):
    pass


class PlannedLateWarning(UserWarning):
    pass


class TechnicianSkillError(UserError):
    pass


class PartValidationError(ValidationError):
    pass


class EmployeeValidationError(ValidationError):
    pass


class PartIssueError(UserError):
    pass


class PartReturnError(UserError):
    pass


class InvoiceError(UserError):
    pass


class ContractFeeError(AccessError):
    pass

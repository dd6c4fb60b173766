# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class RequestValidationError(ValidationError):
    pass


class RequestWorkflowError(UserError):
    pass


class RequestDeleteError(AccessError):
    pass


class RequestModificationError(AccessError):
    pass


class RequestComplaintError(UserError):
    pass


class EquipmentValidationError(ValidationError):
    pass


class ContractValidationError(ValidationError):
    pass


class ContractDeleteError(AccessError):
    pass


class SLAValidationError(ValidationError):
    pass


class ClientReadonlyError(AccessError):
    pass


class ClientValueError(ValidationError):
    pass


class ClientRecordError(AccessError):
    "A record set in a field or the context is not one the user may see"


class ClientUnreadableError(AccessError):
    pass


class SerialUnknownWarning(UserWarning):
    pass


class RenewalError(UserError):
    pass

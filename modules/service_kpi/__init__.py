# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.

# The pages of the customers, served by trytond
from . import routes

__all__ = ['routes']

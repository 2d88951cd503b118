"""Exports are kept for a day and made again on request: not backed up, not verified."""

from common.media import declare_files

declare_files("transfer.ExportJob", ("file",))

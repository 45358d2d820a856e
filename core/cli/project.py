"""CLI subcommands for projects, labels and model versions.

``import-labels``, ``export-labels``, ``models list|activate|rollback|delete|import|export``
and ``project info|create``. Handlers return an exit status; user mistakes raise
``UserError`` (printed on one line by ``core.cli.run``, exit 2).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("import-labels", help="attach labels from a spreadsheet to a project's reviews")
    p.add_argument("--project", required=True, type=Path, help="project file (.rlproj)")
    p.add_argument("file", type=Path, help="csv or xlsx file with a text column and a label column")
    p.add_argument("--text-column", required=True)
    p.add_argument("--label-column", required=True)
    p.add_argument("--task", required=True, help="sentiment, intents, aspects or a custom task")
    p.add_argument("--sheet", default=None, help="sheet name (xlsx; default: the first sheet)")
    p.set_defaults(handler=_import_labels)

    p = subparsers.add_parser("export-labels", help="write a project's labels to csv or xlsx")
    p.add_argument("--project", required=True, type=Path)
    p.add_argument("-o", "--output", required=True, type=Path)
    p.add_argument("--task", default=None, help="only this task (default: all)")
    p.add_argument("--no-mask", action="store_true", help="write personal data in the texts unmasked")
    p.set_defaults(handler=_export_labels)

    models = subparsers.add_parser("models", help="list, activate, roll back, delete, import or export model versions")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION")
    p = msub.add_parser("list", help="list stored versions (with --project: * = active in that project)")
    p.add_argument("--project", type=Path, default=None, help="project whose active models to mark")
    p.set_defaults(handler=_models_list)
    p = msub.add_parser("activate", help="make a version the active model of a project")
    p.add_argument("model_version", metavar="VERSION")  # "version" is the global --version flag
    p.add_argument("--project", type=Path, default=None, help="the project (.rlproj): models belong to a project")
    p.set_defaults(handler=_models_activate)
    p = msub.add_parser("rollback", help="go back to the task's previously active model in a project")
    p.add_argument("--task", default="sentiment", help="task whose model to roll back (default sentiment)")
    p.add_argument("--project", type=Path, default=None, help="the project (.rlproj): models belong to a project")
    p.set_defaults(handler=_models_rollback)
    p = msub.add_parser("delete", help="delete a stored version (not the one active in --project)")
    p.add_argument("model_version", metavar="VERSION")  # "version" is the global --version flag
    p.add_argument("--project", type=Path, default=None,
                   help="refuse when the version is active in this project")
    p.set_defaults(handler=_models_delete)
    p = msub.add_parser("import", help="add a model folder from another PC")
    p.add_argument("dir", type=Path)
    p.set_defaults(handler=_models_import)
    p = msub.add_parser("export", help="copy a version into a folder")
    p.add_argument("model_version", metavar="VERSION")  # "version" is the global --version flag
    p.add_argument("dir", type=Path)
    p.set_defaults(handler=_models_export)
    models.set_defaults(handler=_models_list)

    project = subparsers.add_parser("project", help="project file information")
    psub = project.add_subparsers(dest="project_command", metavar="ACTION")
    p = psub.add_parser("info", help="counts of reviews, labels and model versions")
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_project_info)
    p = psub.add_parser("create", help="create an empty project file")
    p.add_argument("project", type=Path)
    p.set_defaults(handler=_project_create)


def _import_labels(args: argparse.Namespace) -> int:
    from core.project import Project, import_labels

    with Project.open(args.project) as project:
        result = import_labels(project, args.file, text_column=args.text_column, label_column=args.label_column,
                               task=args.task, sheet=args.sheet)
    print(f"{result.labeled} reviews labeled for {args.task} ({result.new_reviews} new reviews added, "
          f"{result.skipped_blank} blank rows skipped)")
    return 0


def _export_labels(args: argparse.Namespace) -> int:
    from core.project import Project, export_labels

    with Project.open(args.project, readonly=True) as project:
        count = export_labels(project, args.output, task=args.task, mask=not args.no_mask)
    print(f"{count} labeled reviews written to {args.output}")
    return 0


def _store(project: Path | None = None):
    from core.model import ModelStore

    if project is not None:
        from core.project import Project

        Project.open(project, readonly=True).close()  # one clear line for a missing or bad project
    return ModelStore(project=project)


def _models_list(args: argparse.Namespace) -> int:
    store = _store(args.project)
    versions = store.versions()
    active = store.active_version()
    if args.project is None:
        print("(no --project: showing stored versions; analysis without a project uses the bundled model)")
    print(f"{'*' if active is None else ' '} (bundled default)")
    for v in versions:
        metrics = " ".join(f"{k}={val:.3f}" if isinstance(val, float) else f"{k}={val}"
                           for k, val in sorted(v.metrics.items()) if not isinstance(val, (dict, list)))
        print(f"{'*' if v.is_active else ' '} {v.version}  {v.task}  {v.created}  {metrics}".rstrip())
    return 0


def _models_activate(args: argparse.Namespace) -> int:
    _store(args.project).activate(args.model_version)
    print(f"active model of {args.project.name}: {args.model_version}")
    return 0


def _models_rollback(args: argparse.Namespace) -> int:
    version = _store(args.project).rollback(args.task)
    none = "(bundled default)" if args.task == "sentiment" else "(none: analysis leaves this task out)"
    print(f"active {args.task} model: {version.version if version else none}")
    return 0


def _models_delete(args: argparse.Namespace) -> int:
    _store(args.project).delete(args.model_version)
    print(f"deleted {args.model_version} (a project that used it goes back to the bundled model)")
    return 0


def _models_import(args: argparse.Namespace) -> int:
    version = _store().import_folder(args.dir)
    print(f"imported {version.version} (activate it for a project with: models activate {version.version} "
          f"--project FILE.rlproj)")
    return 0


def _models_export(args: argparse.Namespace) -> int:
    path = _store().export_folder(args.model_version, args.dir)
    print(f"exported to {path}")
    return 0


def _project_info(args: argparse.Namespace) -> int:
    from core.project import Project

    with Project.open(args.project, readonly=True) as project:
        info = project.info()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(f"project: {info['path']}")
    print(f"schema: {info['schema_version']}  created: {info['created']}  app: {info['app_version']}")
    print(f"reviews: {info['reviews']} from {info['sources']} source file(s)")
    for task, counts in info["labels"].items():
        total = sum(counts.values())
        detail = ", ".join(f"{k} {n}" for k, n in counts.items())
        print(f"labels {task}: {total}" + (f" ({detail})" if detail else ""))
    print(f"model versions: {info['model_versions']}")
    return 0


def _project_create(args: argparse.Namespace) -> int:
    from core.project import Project

    Project.create(args.project).close()
    print(f"created {args.project}")
    return 0


"""YAML reading for untrusted content: safe types only, no aliases, line numbers kept.

libyaml (PyYAML's C parser) reads the text when PyYAML has it, ten times faster than PyYAML's own;
a text it refuses, or one with an alias, is read again by PyYAML's parser, which says what is wrong
in the words and at the line the error messages have always had. Where both read a text the data are
the same; libyaml also reads a tab after a value as space, which PyYAML refused (tests/test_yamlsafe.py)."""

from __future__ import annotations

import yaml


class YamlProblem(Exception):
    """The text is not YAML we accept; `line` is 1-based within the text."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class LineDict(dict):
    """A mapping that remembers the line of each key."""

    line: int = 1
    key_lines: dict


class LineList(list):
    """A sequence that remembers the line of each item."""

    line: int = 1
    item_lines: list


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlProblem(event.start_mark.line + 1,
                              "YAML aliases (*name) are not allowed in content; write the value out")
        return super().compose_node(parent, index)

    def construct_yaml_map(self, node):
        data = LineDict()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise YamlProblem(key_node.start_mark.line + 1, "a mapping key must be plain text")
            if key in data:
                raise YamlProblem(key_node.start_mark.line + 1, f"key '{key}' appears twice")
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1

    def construct_yaml_seq(self, node):
        data = LineList()
        data.line = node.start_mark.line + 1
        data.item_lines = [item.start_mark.line + 1 for item in node.value]
        yield data
        data.extend(self.construct_object(item, deep=True) for item in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)

if yaml.__with_libyaml__:
    class _FastLoader(yaml.CSafeLoader):
        """libyaml's scanner, parser and composer; the constructors above."""

    _FastLoader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
    _FastLoader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
else:
    _FastLoader = None


def parse_yaml(text: str):
    """Parse YAML text into plain data with line numbers; raise YamlProblem on any error."""
    if _FastLoader is not None:
        loader = _FastLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if not _has_alias(node):
                return loader.construct_document(node)
        except yaml.YAMLError:
            pass  # PyYAML's parser below reports it
        finally:
            loader.dispose()
    return _parse_with_pyyaml(text)


def _has_alias(root: yaml.Node) -> bool:
    """Whether a node is reached twice: libyaml's composer makes an alias the node its anchor named."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return False


def _parse_with_pyyaml(text: str):
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlProblem(line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"invalid YAML: {exc}") from None

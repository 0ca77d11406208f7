"""`transmit init DIR`: a new site that builds at once and shows what the tool does."""

from __future__ import annotations

from pathlib import Path

from transmit.errors import UsageError

INIT_TIMEZONE = "Asia/Shanghai"  # the zone the new site.toml names

SITE_TOML = """\
# site.toml: the configuration of this transmit site. Only `title` is required;
# every other key shows its default and may be deleted.

title = "My Notes"                      # the site's name, shown in the header and the browser tab
subtitle = "INCOMING TRANSMISSION"      # the signal line above the home page's list
description = "Notes on machine learning, vision and algorithms."  # for search engines and feeds
base_url = "/"                          # where the site will live, e.g. "https://you.github.io/notes/"
language = "zh-CN"                      # interface strings (zh or en), <html lang>, search language
timezone = "Asia/Shanghai"              # IANA zone; dates without an offset are in it
author = ""                             # your name, for feeds and page metadata
per_page = 10                           # posts per listing page
excerpt_length = 300                    # characters in an excerpt (a Chinese character counts one)
slug_style = "keep"                     # post addresses: keep (Chinese stays), pinyin, or hash
search = true                           # build the search index
toc = false                             # a contents list on every post (`toc:` wins)

[markdown]
unsafe_html = true                      # let raw HTML in posts through

[math]
macros = { "\\\\R" = "\\\\mathbb{R}" }   # TeX macros available in every formula
"""

FIRST_POST = """\
---
title: 第一篇笔记 Hello, transmit
date: {date}
categories: [Notes]
tags: [transmit, math]
---

这是用 transmit 写的第一篇笔记。Markdown 不会碰公式里的字符：$x_1 * y_1 + x_2 * y_2$。

<!-- more -->

## 一个公式

softmax 把一组实数变成概率分布：

$$
\\operatorname{{softmax}}(z)_i = \\frac{{e^{{z_i}}}}{{\\sum_{{j=1}}^{{K}} e^{{z_j}}}}
$$

## 一段代码

```python
import math

def softmax(z: list[float]) -> list[float]:
    top = max(z)
    exps = [math.exp(v - top) for v in z]
    total = sum(exps)
    return [v / total for v in exps]
```

Edit this file in `content/posts/`, then run `transmit build`.
"""

ABOUT_PAGE = """\
---
title: 关于 About
---

A site of notes built with transmit. Write posts in `content/posts/`, pages such as this one
in `content/pages/`, and put files to copy as they are in `static/`.
"""


def run_init(target: Path, today: str) -> list[Path]:
    """Write a new site into `target`, which must be missing or empty; returns the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(
            f"{target} already exists and is not empty; choose a new folder name", target
        )
    files = {
        target / "site.toml": SITE_TOML,
        target / "content" / "posts" / "hello-transmit.md": FIRST_POST.format(date=today),
        target / "content" / "pages" / "about.md": ABOUT_PAGE,
        target / "static" / ".gitkeep": "",
        # what `build` writes (and its cache) is made from the rest: not for version control
        target / ".gitignore": "/public/\n/.transmit-cache/\n",
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)

"""A small but complete site for theme tests: Chinese and English posts, a category hierarchy,
tags that clash, a sticky post, a bundle with an image, math, code, tables, footnotes, a page."""

from __future__ import annotations

import struct
import textwrap
import zlib
from pathlib import Path


def tiny_png(width: int = 8, height: int = 6) -> bytes:
    """A valid PNG of one colour, so image checks and browsers accept it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x5e\xe0\xc1" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


MATH_BODY = r"""
Softmax 把实数变成概率 $\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}$，
其中 $z \in \mathbb{R}^K$。

<!-- more -->

## 定义 Definition

$$
\mathcal{L}(\theta) = -\sum_{i=1}^{N} \log p_\theta(y_i \mid x_i) + \lambda \lVert \theta \rVert_2^2
$$

交叉熵与 KL 散度的关系：$H(p, q) = H(p) + D_{\mathrm{KL}}(p \parallel q)$。

## 推导

$$
\frac{\partial \mathcal{L}}{\partial z_i} = \operatorname{softmax}(z)_i - y_i
$$

$$
\begin{aligned}
\nabla_\theta J &= \mathbb{E}_{x \sim p}\left[\nabla_\theta \log p_\theta(x) f(x)\right] \\
&\approx \frac{1}{M} \sum_{m=1}^{M} \nabla_\theta \log p_\theta(x_m) f(x_m)
\end{aligned}
$$

A long formula that must scroll on a phone:

$$
f(x_1, x_2, x_3, x_4, x_5, x_6) = a_1 x_1 + a_2 x_2 + a_3 x_3 + a_4 x_4 + a_5 x_5
+ a_6 x_6 + a_7 x_1 x_2 + a_8 x_3 x_4 + a_9 x_5 x_6 + b
$$

### 代码 Code

```python
import numpy as np

def softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)  # numerical stability: subtract the maximum first
    exps = np.exp(shifted)
    return exps / exps.sum(axis=-1, keepdims=True)
```

| 函数 | 公式 | 值域 |
| --- | --- | --- |
| Sigmoid | $\sigma(x) = \frac{1}{1+e^{-x}}$ | $(0, 1)$ |
| Tanh | $\tanh(x)$ | $(-1, 1)$ |
| ReLU | $\max(0, x)$ | $[0, \infty)$ |

> [!NOTE]
> 数值稳定性很重要。

See the footnote.[^1] And the [next note](../attention/) and [the about page](../../about/).

[^1]: Goodfellow et al., *Deep Learning*, chapter 6.
"""

POSTS: dict[str, str] = {
    "softmax.md": textwrap.dedent(
        """\
        ---
        title: Softmax 与交叉熵 Softmax and Cross-Entropy
        date: 2026-03-01 20:15
        updated: 2026-03-05 09:00
        categories: [深度学习, 基础]
        tags: [softmax, 损失函数, math]
        toc: true
        ---
        """
    )
    + MATH_BODY,
    "attention.md": """\
        ---
        title: 注意力机制 Attention
        date: 2026-02-20
        categories: 深度学习/Transformer
        tags: [注意力机制, Transformer, math]
        ---
        Attention 把查询与键的相似度变成权重：
        $\\alpha = \\operatorname{softmax}(QK^\\top / \\sqrt{d})$。

        ## Scaled dot-product

        Each head attends to every position.
        """,
    "adamw.md": """\
        ---
        title: AdamW and decoupled weight decay
        date: 2026-02-10
        categories: [深度学习, 优化]
        tags: [AdamW, 优化器, C++]
        ---
        AdamW decouples weight decay from the gradient update, which makes the decay rate
        independent of the learning-rate schedule. It is the default optimiser for transformers.
        """,
    "sgd.md": """\
        ---
        title: SGD with momentum
        date: 2026-01-28
        categories: [深度学习, 优化]
        tags: [优化器, C]
        ---
        Momentum keeps a running average of gradients.
        """,
    "yolo/index.md": """\
        ---
        title: anchor-free 检测器 YOLOX
        date: 2026-01-15
        categories: [Computer Vision, Detection]
        tags: [目标检测, anchor-free]
        cover: cover.png
        ---
        YOLOX 去掉了 anchor。

        ![检测结果示意](cover.png)
        """,
    "yolo/cover.png": "PNG",
    "fpn.md": """\
        ---
        title: 特征金字塔 FPN
        date: 2026-01-10
        categories: [Computer Vision, Detection]
        tags: [目标检测, 特征金字塔]
        ---
        FPN 融合多尺度特征。
        """,
    "unet.md": """\
        ---
        title: U-Net 语义分割
        date: 2025-12-20
        categories: [Computer Vision, Segmentation]
        tags: [语义分割]
        ---
        U-Net 的跳跃连接。
        """,
    "receptive.md": """\
        ---
        title: 感受野的计算
        date: 2025-12-02
        categories: Computer Vision
        tags: [感受野, pytorch]
        ---
        感受野 $RF_l = RF_{l-1} + (k_l - 1) \\prod_{i<l} s_i$。
        """,
    "welcome.md": """\
        ---
        title: "Welcome <transmission> & \\"quotes\\""
        date: 2025-11-01
        sticky: true
        categories: Notes
        tags: [PyTorch, meta, "line\\u2028sep</script>"]
        summary: "A pinned note with *emphasis* & an \\u2028 separator"
        ---
        This note is pinned to the top of the home page.
        """,
    "hash.md": """\
        ---
        title: Hash maps in C++
        date: 2025-10-11
        categories: [Algorithms]
        tags: [C++, hashing]
        ---
        Open addressing versus chaining.
        """,
    "graphs.md": """\
        ---
        title: 图的最短路径 Dijkstra
        date: 2025-09-01
        categories: [Algorithms, Graphs]
        tags: [graphs]
        ---
        Dijkstra 的复杂度是 $O((V + E) \\log V)$。
        """,
    "bfs.md": """\
        ---
        title: BFS 与 DFS
        date: 2025-08-15
        categories: [Algorithms, Graphs]
        tags: [graphs]
        ---
        广度优先与深度优先。
        """,
    "notes-2024.md": """\
        ---
        title: 2024 年的笔记 Notes from 2024
        date: 2024-12-31 23:30
        categories: Notes
        tags: [meta]
        ---
        一年的回顾。
        """,
}

CODE_SAMPLE = """\
@dataclass(frozen=True)
class Adam:
    lr: float = 1e-3  # the step size
    betas: tuple[float, float] = (0.9, 0.999)
    def step(self, grad: "Tensor") -> None:
        if grad is None or not self.lr:
            raise ValueError(f"bad gradient {grad!r}\\n")
        return [x ** 2 for x in range(10) if x % 2]
"""


def kitchen_sink() -> str:
    """Markup the renderer will produce (Pygments code, callouts, a formula that failed),
    written as raw HTML so the theme's styles for it are checked before the renderer lands."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    code = highlight(CODE_SAMPLE, PythonLexer(), HtmlFormatter(hl_lines=[3])).strip()
    callouts = "\n".join(
        f'<div class="callout callout-{kind}"><p class="callout-title">{kind}</p>'
        f'<p>A {kind} callout with <code>code</code> and a <a href="#x">link</a>.</p></div>'
        for kind in ("note", "tip", "important", "warning", "caution")
    )
    return (
        textwrap.dedent(
            """\
        ---
        title: Kitchen sink 样式总览
        date: 2025-06-01
        categories: Notes
        tags: [meta]
        ---
        Everything a note may contain, to see the theme style it.

        <p id="x">A formula that failed: <code class="math-error">\\frac{1}{</code>.</p>

        Enclosures: $\\boxed{E = mc^2}$, $\\cancel{x}$, $\\xcancel{ab}$ and $\\sout{z}$.

        Term
        : Its definition, with <kbd>Ctrl</kbd> + <kbd>C</kbd> and <mark>marked</mark> text.

        > A quotation that spans a line, with ~~struck~~ words.

        <details><summary>More</summary><p>Hidden until opened.</p></details>

        """
        )
        + f"{code}\n\n{callouts}\n"
    )


PAGES = {
    "about.md": """\
        ---
        title: 关于 About
        ---
        这里是信号笔记。A notes site about machine learning, vision and algorithms.
        """,
}

CONFIG = """\
title = "Signal Notes"
subtitle = "INCOMING TRANSMISSION"
description = "Notes on machine learning, vision and algorithms."
base_url = "{base_url}"
language = "{language}"
timezone = "Asia/Shanghai"
author = "Ada"
per_page = {per_page}
slug_style = "{slug_style}"
search = {search}
"""


def write_sample_site(
    root: Path,
    *,
    base_url: str = "https://example.org/",
    language: str = "zh-CN",
    per_page: int = 4,
    slug_style: str = "keep",
    search: bool = True,
) -> Path:
    """Write the sample site into `root` (created) and return it."""
    root.mkdir(parents=True, exist_ok=True)
    config = CONFIG.format(
        base_url=base_url,
        language=language,
        per_page=per_page,
        slug_style=slug_style,
        search=str(search).lower(),
    )
    (root / "site.toml").write_text(config, encoding="utf-8")
    for folder, files in (("content/posts", POSTS), ("content/pages", PAGES)):
        for name, text in files.items():
            path = root / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".png"):
                path.write_bytes(tiny_png())
            else:
                path.write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "content/posts/kitchen-sink.md").write_text(kitchen_sink(), encoding="utf-8")
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "robots-note.txt").write_text("static file\n", encoding="utf-8")
    return root

"""The theme's interface strings in Chinese and English, chosen by the site's `language`.

The home page's signal header and LATEST UPDATES stay English in both: they are the theme's
signature, not interface chrome. `{n}`, `{name}` and `{q}` are filled in by the templates (or,
for the search strings, by search.js)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "latest": "LATEST UPDATES",
        "read_more": "Read more",
        "previous": "Previous",
        "next": "Next",
        "page": "Page {n}",
        "pagination": "Pagination",
        "skip": "Skip to content",
        "main_nav": "Site",
        "minutes": "{n} min read",
        "words": "{n} words",
        "posted": "Posted",
        "updated": "Updated",
        "no_posts": "Nothing here yet.",
        "not_found": "Page not found",
        "not_found_text": (
            "No transmission on this frequency. The page may have moved or never existed."
        ),
        "not_found_home": "Back to the home page",
        "category": "Category",
        "categories": "Categories",
        "categories_intro": "{n} categories",
        "tag": "Tag",
        "tags": "Tags",
        "tags_intro": "{n} tags",
        "archives": "Archives",
        "archives_intro": "{n} posts in all",
        "posts_count": "{n} posts",
        "post_count_one": "1 post",
        "subcategories": "Subcategories",
        "search": "Search",
        "search_label": "Search the notes",
        "search_placeholder": "Words, terms, 中文…",
        "search_button": "Search",
        "search_needs_js": (
            "Search runs in your browser and needs JavaScript. "
            "Browse the categories, tags or archives instead."
        ),
        "breadcrumb": "Breadcrumb",
        "toc": "Contents",
        "post_nav": "More posts",
        "previous_post": "Previous post",
        "next_post": "Next post",
        "related": "Related posts",
        "back_to_top": "Back to top",
        "theme_toggle": "Dark theme",
        "copy": "Copy",
        "copied": "Copied",
        "copy_label": "Copy code",
        "feed": "Atom feed",
        "feed_of": "Atom feed of {name}",
        "rss": "RSS",
        "pinned": "Pinned",
        "footer_feeds": "Subscribe",
        "powered": "Built with transmit",
        "search_count": "{n} results",
        "search_count_one": "1 result",
        "search_none": "Nothing found for “{q}”",
        "search_loading": "Searching…",
        "search_error": "Search is unavailable",
        "search_any": "All",
        "search_sort": "Sort",
        "search_relevance": "Relevance",
        "search_newest": "Newest",
        "search_oldest": "Oldest",
        "search_more": "More results",
    },
    "zh": {
        "home": "首页",
        "latest": "LATEST UPDATES",
        "read_more": "阅读全文",
        "previous": "上一页",
        "next": "下一页",
        "page": "第 {n} 页",
        "pagination": "分页",
        "skip": "跳到正文",
        "main_nav": "站点导航",
        "minutes": "约 {n} 分钟",
        "words": "{n} 字",
        "posted": "发布于",
        "updated": "更新于",
        "no_posts": "这里还没有文章。",
        "not_found": "页面不存在",
        "not_found_text": "这个频率上没有信号：页面可能已经移动，或者从未存在。",
        "not_found_home": "回到首页",
        "category": "分类",
        "categories": "分类",
        "categories_intro": "共 {n} 个分类",
        "tag": "标签",
        "tags": "标签",
        "tags_intro": "共 {n} 个标签",
        "archives": "归档",
        "archives_intro": "共 {n} 篇文章",
        "posts_count": "{n} 篇",
        "post_count_one": "1 篇",
        "subcategories": "子分类",
        "search": "搜索",
        "search_label": "搜索笔记",
        "search_placeholder": "关键词、术语、English…",
        "search_button": "搜索",
        "search_needs_js": (
            "搜索在浏览器中运行，需要启用 JavaScript。也可以按分类、标签或归档浏览。"
        ),
        "breadcrumb": "面包屑导航",
        "toc": "目录",
        "post_nav": "更多文章",
        "previous_post": "上一篇",
        "next_post": "下一篇",
        "related": "相关文章",
        "back_to_top": "回到顶部",
        "theme_toggle": "深色主题",
        "copy": "复制",
        "copied": "已复制",
        "copy_label": "复制代码",
        "feed": "Atom 订阅",
        "feed_of": "{name} 的 Atom 订阅",
        "rss": "RSS",
        "pinned": "置顶",
        "footer_feeds": "订阅",
        "powered": "由 transmit 生成",
        "search_count": "找到 {n} 篇",
        "search_count_one": "找到 1 篇",
        "search_none": "没有找到与“{q}”相关的文章",
        "search_loading": "正在搜索…",
        "search_error": "搜索暂时不可用",
        "search_any": "全部",
        "search_sort": "排序",
        "search_relevance": "相关度",
        "search_newest": "最新",
        "search_oldest": "最早",
        "search_more": "更多结果",
    },
}

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def ui_language(language: str) -> str:
    return "zh" if language.lower().startswith("zh") else "en"


def strings_for(language: str) -> dict[str, str]:
    return STRINGS[ui_language(language)]


def month_name(language: str, month: int) -> str:
    if ui_language(language) == "zh":
        return f"{month} 月"
    return MONTHS_EN[month - 1]


def count_label(language: str, n: int) -> str:
    """`3 posts` / `3 篇`."""
    strings = strings_for(language)
    return strings["post_count_one"] if n == 1 else strings["posts_count"].format(n=n)

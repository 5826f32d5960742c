"""XSS payloads, each (name, article HTML), for the sanitizer's unit tests and the browser
test: every one, if it ran, would log ``XSS-FIRED`` on the console, open a dialog, or make
a request to ``LEAK_HOST`` (which the browser test watches for)."""

LEAK_HOST = "leak.invalid"  # a host no page may ever ask anything of
LEAK = f"http://{LEAK_HOST}/LEAK"

PAYLOADS: list[tuple[str, str]] = [
    ("script", "<p>a</p><script>console.log('XSS-FIRED')</script>"),
    ("script-src", f'<script src="{LEAK}-script"></script>'),
    ("script-upper", "<SCRIPT>alert('XSS-FIRED')</SCRIPT>"),
    ("script-split", "<scr<script>ipt>console.log('XSS-FIRED')</script>"),
    ("img-onerror", "<img src=x onerror=\"console.log('XSS-FIRED')\">"),
    ("img-onerror-alert", "<img src=\"/nope.png\" onerror=alert('XSS-FIRED')>"),
    ("body-onload", "<body onload=\"console.log('XSS-FIRED')\">"),
    ("p-onmouseover", "<p onmouseover=\"console.log('XSS-FIRED')\">hover</p>"),
    ("details-ontoggle", "<details open ontoggle=\"console.log('XSS-FIRED')\"><summary>s"
                         "</summary></details>"),
    ("svg-onload", "<svg onload=\"console.log('XSS-FIRED')\"><circle r=1></circle></svg>"),
    ("svg-script", "<svg><script>console.log('XSS-FIRED')</script></svg>"),
    ("svg-a-href", "<svg><a xlink:href=\"javascript:console.log('XSS-FIRED')\">"
                   "<text y=20>x</text></a></svg>"),
    ("math-href", "<math><mtext><a href=\"javascript:console.log('XSS-FIRED')\">m</a>"
                  "</mtext></math>"),
    ("math-mglyph", "<math><mtext><table><mglyph><style><img src=x "
                    "onerror=\"console.log('XSS-FIRED')\">"),
    ("js-link", "<a href=\"javascript:console.log('XSS-FIRED')\">click</a>"),
    ("js-link-mixed-case", "<a href=\"JaVaScRiPt:console.log('XSS-FIRED')\">click</a>"),
    ("js-link-decimal-entities", "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;"
                                 "&#116;&#58;console.log('XSS-FIRED')\">click</a>"),
    ("js-link-first-entity", "<a href=\"&#106;avascript:console.log('XSS-FIRED')\">c</a>"),
    ("js-link-hex-entity", "<a href=\"&#x6A;avascript:console.log('XSS-FIRED')\">c</a>"),
    ("js-link-padded-entity", "<a href=\"&#0000106avascript:console.log('XSS-FIRED')\">c</a>"),
    ("js-link-tab", "<a href=\"java\tscript:console.log('XSS-FIRED')\">c</a>"),
    ("js-link-tab-entity", "<a href=\"java&#x09;script:console.log('XSS-FIRED')\">c</a>"),
    ("js-link-newline", "<a href=\"java&#10;script:console.log('XSS-FIRED')\">c</a>"),
    ("js-link-leading-space", "<a href=\" &#14; javascript:console.log('XSS-FIRED')\">c</a>"),
    ("js-link-colon-entity", "<a href=\"javascript&colon;console.log('XSS-FIRED')\">c</a>"),
    ("vbscript-link", "<a href=\"vbscript:msgbox('XSS-FIRED')\">c</a>"),
    ("data-link", "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">c</a>"),
    ("data-img", "<img src=\"data:image/svg+xml,<svg onload=alert('XSS-FIRED')>\">"),
    ("js-img", "<img src=\"javascript:console.log('XSS-FIRED')\">"),
    ("iframe-evil", f'<iframe src="{LEAK}-iframe"></iframe>'),
    ("iframe-js", "<iframe src=\"javascript:console.log('XSS-FIRED')\"></iframe>"),
    ("iframe-srcdoc", "<iframe srcdoc=\"<script>parent.console.log('XSS-FIRED')</script>\">"
                      "</iframe>"),
    ("iframe-youtube-srcdoc", "<iframe src=\"https://www.youtube.com/embed/x\" srcdoc=\""
                              "<script>parent.console.log('XSS-FIRED')</script>\"></iframe>"),
    ("meta-refresh", f'<meta http-equiv="refresh" content="0;url={LEAK}-refresh">'),
    ("meta-refresh-js", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:"
                        "console.log('XSS-FIRED')\">"),
    ("style-element", f"<style>body {{ background: url({LEAK}-style) }}</style>"),
    ("style-import", f"<style>@import '{LEAK}-import';</style>"),
    ("style-attribute", f'<p style="background:url({LEAK}-css)">p</p>'),
    ("style-attribute-js", "<div style=\"background:url(javascript:console.log('XSS-FIRED'))\">"
                           "d</div>"),
    ("style-expression", "<div style=\"width: expression(console.log('XSS-FIRED'))\">d</div>"),
    ("link-stylesheet", f'<link rel="stylesheet" href="{LEAK}-link">'),
    ("object", f'<object data="{LEAK}-object"></object>'),
    ("object-js", "<object data=\"javascript:console.log('XSS-FIRED')\"></object>"),
    ("embed", f'<embed src="{LEAK}-embed">'),
    ("base", f'<base href="http://{LEAK_HOST}/"><a href="x">rel</a><img src="base-relative.png">'),
    ("form", f'<form action="{LEAK}-form"><input name=q autofocus '
             "onfocus=\"console.log('XSS-FIRED')\"><button>go</button></form>"),
    ("button-formaction", "<form><button formaction=\"javascript:console.log('XSS-FIRED')\">"
                          "b</button></form>"),
    ("input-autofocus", "<input autofocus onfocus=\"console.log('XSS-FIRED')\">"),
    ("video-onerror", "<video src=x onerror=\"console.log('XSS-FIRED')\"></video>"),
    ("audio-source", "<audio><source src=x onerror=\"console.log('XSS-FIRED')\"></audio>"),
    ("marquee", "<marquee onstart=\"console.log('XSS-FIRED')\">m</marquee>"),
    ("noscript-breakout", "<noscript><p title=\"</noscript><img src=x "
                          "onerror=console.log('XSS-FIRED')>\"></noscript>"),
    ("comment-breakout", "<!--<img src=\"--><img src=x onerror=console.log('XSS-FIRED')//\">"),
    ("textarea-breakout", "<textarea></textarea><img src=x onerror="
                          "console.log('XSS-FIRED')></textarea>"),
    ("title-breakout", "<title><img src=x onerror=console.log('XSS-FIRED')></title>"),
    ("template", "<template><img src=x onerror=console.log('XSS-FIRED')></template>"),
    ("a-onclick", "<a href=\"https://ok.example/\" onclick=\"console.log('XSS-FIRED')\">o</a>"),
    ("table-background", f'<table background="{LEAK}-table"><tr><td>t</td></tr></table>'),
    ("img-srcset-js", "<img srcset=\"javascript:console.log('XSS-FIRED') 1x\">"),
    ("audio-js-src", "<audio controls src=\"javascript:console.log('XSS-FIRED')\"></audio>"),
    ("audio-autoplay-onplay", "<audio autoplay src=\"a.mp3\" onplay=\"console.log('XSS-FIRED')\""
                              " onloadstart=\"console.log('XSS-FIRED')\"></audio>"),
    ("video-js-src", "<video src=\"JaVaScRiPt:console.log('XSS-FIRED')\"></video>"),
    ("video-poster-js", "<video poster=\"javascript:console.log('XSS-FIRED')\" src=\"v.mp4\">"
                        "</video>"),
    ("video-source-js", "<video><source src=\"javascript:console.log('XSS-FIRED')\" "
                        "onerror=\"console.log('XSS-FIRED')\"></video>"),
    ("source-data", "<video><source src=\"data:video/mp4;base64,AAAA\"></video>"),
]

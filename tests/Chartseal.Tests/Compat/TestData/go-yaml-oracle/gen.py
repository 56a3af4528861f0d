import os
import json, subprocess
long_words = " ".join(["word%d" % i for i in range(40)])
strings = ["plain", "true", "True", "yes", "Yes", "on", "y", "n", "N", "~", "null", "1.10", "010", "0x10", "1e3", ".inf", "-.inf", ".nan",
 "12:30", "1:2:3", "2021-01-01", "2021-1-1", "2021-09-01T20:34:58.651387237Z", "2021-09-01 20:34:58", "tab\there", "", " lead", "trail ",
 "- a", "-a", "*a", "&a", "!a", "%a", "@a", "`a", "{a", "[a", ">a", "#a", "|a", "'a", "\"a", ",a", "a#b", "a #b", "a: b", "a:b", "a,b", "it's", "<>&",
 "?a", "? a", ":a", ": a", "---", "--- x", "...", "a\nb", "a\nb\n", "a\n\nb\n\n", "\nlead", " lead\nx", "x \ny", "x\n y", "é", "日本語", "emoji 😀",
 "\u0085", "a \u0085 b", "a\u0085\u0085\u0085b \u0085", "x\t\u0085\ty", "a\u2028b", "\u00a0", "x\u0007", "\"quoted\"", "back\\slash", long_words, " " + long_words, "\t" + long_words, "x" * 100 + " tail",
 "1_000", "+1", "-1", "0b101", "0o17", "1.", ".5", "+.5", "1e400", "123456789012345678901234567890", "-", "?", ":", "a:", "a :", "#", "a\t", "\t",
 ">=1.20.0-0", "^1.2", "~1.2", "1.2.3", "v1.2.3", "https://example.com/a?b=c#d", "a\r\nb", "\ufeffbom", "a\u00ad", "x\u200by",
 long_words + "\nsecond line " + long_words + "\n", "ends with two\n\n", "\n", "\n\n", "  indented\nline", "a  b  c", long_words.replace(" ", "  "),
 "0", "-0", "00", "0.0", "1.0", "+", "1-2", "1.2.3.4", "Null", "NULL", "off", "OFF", "oN", "yES", "<<", "=", "!", "%", "@"]
docs = [{"k": s} for s in strings]
keys = ["a10","a9","a","B","b","_x","1","01","a01","a1","é","Z","a-b","a_b","a.b","10","9","","true","x"*130, "line\nkey", "ab0", "k8s.io/x", "helm.sh/y"]
docs.append({k: "v" for k in keys})
docs.append({"list": strings[:20], "empty": [], "emptymap": {}, "nested": {"a": [{"b": "c", "d": [1, 2]}, {}], "z": None}})
docs.append({"maintainers": [{"name": long_words, "email": "a@b"}, {"name": "x\ny"}], "keywords": ["- a", "b"]})
docs.append({"n": [1, 1.5, 1e21, 0.000001, 1e-7, -0.0, 123456789.123, 1e6, 1234567.0, True, False, None]})
docs.append({"a": {"b": {"c": long_words, "d": " " + long_words, "e": "tab\t" + long_words, "f": "x\ny"}}})
docs.append([["a", "b"], ["c"], [[]]])
open("cases.json","w").write(json.dumps(docs))
out = subprocess.run(["go","run","main.go"], input=json.dumps(docs, ensure_ascii=False).encode(), capture_output=True, env={"GOPATH":"/usr/share/gocode","GO111MODULE":"off","PATH":"/usr/bin:/bin","HOME":"/tmp","GOCACHE":"/tmp/gocache"}).stdout.decode()
parts = out.split("\x00\n")[:-1]
assert len(parts) == len(docs), (len(parts), len(docs))
golden = [{"input": d, "expected": p} for d, p in zip(docs, parts)]
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "go-yaml-golden.json"),"w").write(json.dumps(golden, ensure_ascii=False, indent=1))
print(len(golden))
for g in golden[:12]: print(repr(g["expected"]))

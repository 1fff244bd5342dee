using System.Globalization;
using System.Text.Json.Nodes;

namespace Matching.Api.Tests.Robustness;

/// <summary>One hostile request body: its class, what it does, the JSON text, and the camelCase path it breaks (if one).</summary>
public sealed record HostileBody(string Class, string What, string Json, string? Field);

/// <summary>
/// Hostile request bodies generated from an operation's request schema in the OpenAPI document, so a new route or a
/// new field is covered without writing a test. The base body gives every field a value of its declared type that
/// is plausible but invalid ("x" for text, 1 for numbers, an id that does not exist), so removing one field never makes
/// it valid; each mutation then breaks one field in one way: wrong JSON type, out-of-range number, date out of any
/// sensible window, text of every bad Unicode class, missing, null, an unknown field, the same field twice.
/// </summary>
public sealed class HostileInputs(JsonObject document)
{
    /// <summary>A lone surrogate cannot live in a .NET string written by System.Text.Json: placed as text, escaped on output.</summary>
    private const string LoneSurrogate = "@@lone-surrogate@@";

    /// <summary>Text classes every string field must refuse: format (Cf), private use, unassigned, controls, invisible-only, too long.</summary>
    public static readonly IReadOnlyList<(string Class, string Value)> BadText =
    [
        ("text: right-to-left override (Cf)", "王\u202E明"),
        ("text: zero-width space (Cf)", "王\u200B明"),
        ("text: byte-order mark (Cf)", "\uFEFF王明"),
        ("text: language tag (Cf, astral)", "王\U000E0001明"),
        ("text: private use (Co)", "王\uE000明"),
        ("text: unassigned (Cn)", "王\u0378明"),
        ("text: noncharacter (Cn)", "王\uFFFF明"),
        ("text: lone surrogate", LoneSurrogate),
        ("text: bell (Cc)", "王\u0007明"),
        ("text: NUL (Cc)", "王\u0000"),
        ("text: line separator", "王\u2028明"),
        ("text: Hangul filler only", "\u3164"),
        ("text: zero-width only", "\u200B\u200B"),
        ("text: 100,000 characters", new string('工', 100_000)),
    ];

    private static readonly string[] BadDates = ["0001-01-01", "0001-01-03", "9999-12-31", "2026-02-30", "下周一"];

    /// <summary>The request body schema of an operation, resolved; null when it takes no JSON body.</summary>
    public JsonObject? BodySchemaOf(JsonObject operation) =>
        operation["requestBody"]?["content"]?["application/json"]?["schema"] is JsonObject schema ? Resolve(schema) : null;

    /// <summary>The base body as JSON text: every field present, plausible, invalid.</summary>
    public string BaseJson(JsonObject schema) => Write((JsonObject)Base(schema, 0)!);

    /// <summary>Every hostile body for the schema.</summary>
    public IReadOnlyList<HostileBody> BodiesFor(JsonObject schema)
    {
        var bodies = new List<HostileBody>();
        foreach (var text in new[] { "", "{", "[]", "null", "1", "\"x\"", "[{}]", "{\"a\":1,}" })
        {
            bodies.Add(new HostileBody("body: not a JSON object", text.Length == 0 ? "(empty)" : text, text, null));
        }
        var template = (JsonObject)Base(schema, 0)!;
        foreach (var (path, fieldSchema) in Fields(schema, ""))
        {
            foreach (var (kind, what, value) in Mutations(fieldSchema))
            {
                var body = template.DeepClone().AsObject();
                Set(body, path, value);
                bodies.Add(new HostileBody(kind, $"{path}: {what}", Write(body), path));
            }
            var without = template.DeepClone().AsObject();
            Remove(without, path);
            bodies.Add(new HostileBody("missing field", $"{path} left out", Write(without), null));
            var nulled = template.DeepClone().AsObject();
            Set(nulled, path, null);
            bodies.Add(new HostileBody("null field", $"{path}: null", Write(nulled), null));
        }
        foreach (var objectPath in Objects(schema))
        {
            var body = template.DeepClone().AsObject();
            var target = objectPath.Length == 0 ? body : (JsonObject)Get(body, objectPath)!;
            target["zzUnknownField"] = 1;
            var field = objectPath.Length == 0 ? "zzUnknownField" : objectPath + ".zzUnknownField";
            bodies.Add(new HostileBody("unknown field", field, Write(body), field));
        }
        foreach (var (name, _) in template)
        {
            // The same field twice, the second time in other letter case: refused, not last-wins.
            var json = Write(template);
            var value = template[name]?.ToJsonString() ?? "null";
            var twice = json[..^1] + (template.Count > 0 ? "," : "") + $"\"{char.ToUpperInvariant(name[0])}{name[1..]}\":{value}}}";
            bodies.Add(new HostileBody("duplicate field", $"{name} twice (any case)", twice, name));
        }
        return bodies;
    }

    /// <summary>(path, schema) of every field, depth first; array items as <c>[0]</c>.</summary>
    private IEnumerable<(string Path, JsonObject Schema)> Fields(JsonObject schema, string prefix)
    {
        if (schema["properties"] is not JsonObject properties)
        {
            yield break;
        }
        foreach (var (name, node) in properties)
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            var field = Resolve((JsonObject)node!);
            yield return (path, field);
            if (TypeOf(field) == "object")
            {
                foreach (var inner in Fields(field, path))
                {
                    yield return inner;
                }
            }
            else if (TypeOf(field) == "array" && field["items"] is JsonObject items)
            {
                var item = Resolve(items);
                yield return ($"{path}[0]", item);
                foreach (var inner in Fields(item, $"{path}[0]"))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Paths of every object in the body (the root is ""), for the unknown-field class.</summary>
    private IEnumerable<string> Objects(JsonObject schema) =>
        new[] { "" }.Concat(Fields(schema, "").Where(f => TypeOf(f.Schema) == "object").Select(f => f.Path));

    private static IEnumerable<(string Class, string What, JsonNode? Value)> Mutations(JsonObject schema)
    {
        var type = TypeOf(schema);
        var format = schema["format"]?.GetValue<string>();
        switch (type)
        {
            case "string":
                yield return ("wrong type", "a number", 12345);
                yield return ("wrong type", "an object", new JsonObject());
                if (format == "date")
                {
                    foreach (var date in BadDates)
                    {
                        yield return ("date out of range or malformed", date, date);
                    }
                }
                foreach (var (kind, value) in BadText)
                {
                    yield return (kind, kind, value);
                }
                break;
            case "integer":
                yield return ("wrong type", "a number as text", "1");
                yield return ("wrong type", "a boolean", true);
                yield return ("wrong type", "a fraction", 1.5);
                yield return ("number out of range", "-1", -1);
                if (format == "int64")
                {
                    yield return ("number out of range", "long minimum", long.MinValue);
                    yield return ("wrong type", "beyond 64 bits", JsonNode.Parse("9223372036854775808"));
                }
                else
                {
                    yield return ("number out of range", "int minimum", int.MinValue);
                    yield return ("number out of range", "int maximum", int.MaxValue);
                    yield return ("wrong type", "beyond 32 bits", 2147483648L);
                }
                break;
            case "number":
                yield return ("wrong type", "a number as text", "1");
                yield return ("wrong type", "a boolean", true);
                yield return ("number out of range", "-1", -1);
                yield return ("number out of range", "1e308", 1e308);
                yield return ("wrong type", "beyond double", JsonNode.Parse("1e400"));
                break;
            case "boolean":
                yield return ("wrong type", "a boolean as text", "true");
                yield return ("wrong type", "a number", 1);
                break;
            case "array":
                yield return ("wrong type", "text instead of a list", "x");
                yield return ("wrong type", "an object instead of a list", new JsonObject());
                break;
            case "object":
                yield return ("wrong type", "a list instead of an object", new JsonArray());
                yield return ("wrong type", "text instead of an object", "x");
                break;
        }
    }

    /// <summary>A plausible but invalid value of the schema's type (see the class summary).</summary>
    private JsonNode? Base(JsonObject schema, int depth)
    {
        switch (TypeOf(schema))
        {
            case "object":
                var body = new JsonObject();
                if (depth < 5 && schema["properties"] is JsonObject properties)
                {
                    foreach (var (name, node) in properties)
                    {
                        body[name] = Base(Resolve((JsonObject)node!), depth + 1);
                    }
                }
                return body;
            case "array":
                return schema["items"] is JsonObject items ? new JsonArray(Base(Resolve(items), depth + 1)) : new JsonArray();
            case "integer":
                return schema["format"]?.GetValue<string>() == "int64" ? JsonValue.Create(999_999_937L) : JsonValue.Create(1);
            case "number":
                return 1;
            case "boolean":
                return true;
            case "string":
                if (schema["enum"] is JsonArray values && values.Count > 0)
                {
                    return values[0]?.DeepClone();
                }
                return schema["format"]?.GetValue<string>() switch
                {
                    "date" => "2026-07-01",
                    "date-time" => "2026-07-01T00:00:00Z",
                    _ => "x",
                };
            default:
                return null;
        }
    }

    /// <summary>Follows <c>$ref</c> and picks the non-null branch of a nullable (oneOf/anyOf with null).</summary>
    public JsonObject Resolve(JsonObject schema)
    {
        for (var i = 0; i < 10; i++)
        {
            if (schema["$ref"]?.GetValue<string>() is { } reference)
            {
                var name = reference[(reference.LastIndexOf('/') + 1)..];
                schema = (JsonObject)document["components"]!["schemas"]![name]!;
                continue;
            }
            var branches = (schema["oneOf"] ?? schema["anyOf"]) as JsonArray;
            if (branches is not null && branches.OfType<JsonObject>().FirstOrDefault(b => b["type"]?.ToString() != "null") is { } branch)
            {
                schema = branch;
                continue;
            }
            return schema;
        }
        return schema;
    }

    /// <summary>The schema's type, ignoring "null" in a type list (OpenAPI 3.1 nullable).</summary>
    public static string? TypeOf(JsonObject schema) => schema["type"] switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray types => types.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
        _ => schema["properties"] is not null ? "object" : null,
    };

    private static string Write(JsonObject body) =>
        body.ToJsonString().Replace($"\"{LoneSurrogate}\"", "\"\\uD800\"", StringComparison.Ordinal);

    private static (string Name, int? Index) Split(string segment)
    {
        var open = segment.IndexOf('[', StringComparison.Ordinal);
        return open < 0 ? (segment, null) : (segment[..open], int.Parse(segment[(open + 1)..^1], CultureInfo.InvariantCulture));
    }

    private static JsonNode? Get(JsonObject body, string path)
    {
        JsonNode? node = body;
        foreach (var segment in path.Split('.'))
        {
            var (name, index) = Split(segment);
            node = node?[name];
            if (index is { } i)
            {
                node = node is JsonArray array && array.Count > i ? array[i] : null;
            }
        }
        return node;
    }

    private static void Set(JsonObject body, string path, JsonNode? value)
    {
        var cut = path.LastIndexOf('.');
        var parent = cut < 0 ? body : Get(body, path[..cut]) as JsonObject;
        var (name, index) = Split(cut < 0 ? path : path[(cut + 1)..]);
        if (parent is null)
        {
            return;
        }
        if (index is { } i && parent[name] is JsonArray array && array.Count > i)
        {
            array[i] = value;
        }
        else if (index is null)
        {
            parent[name] = value;
        }
    }

    private static void Remove(JsonObject body, string path)
    {
        var cut = path.LastIndexOf('.');
        var parent = cut < 0 ? body : Get(body, path[..cut]) as JsonObject;
        var (name, index) = Split(cut < 0 ? path : path[(cut + 1)..]);
        if (index is { } i && parent?[name] is JsonArray array && array.Count > i)
        {
            array.RemoveAt(i);
        }
        else if (index is null)
        {
            parent?.Remove(name);
        }
    }
}

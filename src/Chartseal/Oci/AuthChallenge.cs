using System.Text;

namespace Chartseal.Oci;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header (RFC 7235): a scheme and its parameters.</summary>
internal sealed class AuthChallenge
{
    private AuthChallenge(string scheme, Dictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    /// <summary>The scheme, e.g. <c>Bearer</c> or <c>Basic</c>.</summary>
    public string Scheme { get; }

    /// <summary>The parameters, by lower-case name.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out string? value) ? value : null;

    /// <summary>The challenge to answer among the header values: Bearer before Basic; null when neither is offered.</summary>
    public static AuthChallenge? Select(IEnumerable<string> headerValues)
    {
        var challenges = headerValues.SelectMany(Parse).ToList();
        return challenges.FirstOrDefault(c => c.IsBearer) ?? challenges.FirstOrDefault(c => c.IsBasic);
    }

    /// <summary>Parses one header value, which may hold several challenges.</summary>
    public static List<AuthChallenge> Parse(string header)
    {
        var result = new List<AuthChallenge>();
        int i = 0;
        while (true)
        {
            SkipSeparators(header, ref i);
            string scheme = Token(header, ref i);
            if (scheme.Length == 0)
            {
                return result;
            }
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                SkipSeparators(header, ref i);
                int start = i;
                string name = Token(header, ref i);
                if (name.Length == 0)
                {
                    break;
                }
                SkipSpaces(header, ref i);
                if (i >= header.Length || header[i] != '=')
                {
                    i = start; // not name=value: the next challenge starts here
                    break;
                }
                i++;
                SkipSpaces(header, ref i);
                string value = i < header.Length && header[i] == '"' ? Quoted(header, ref i) : Token(header, ref i, allowEquals: true);
                parameters[name] = value;
            }
            result.Add(new AuthChallenge(scheme, parameters));
            if (i >= header.Length)
            {
                return result;
            }
        }
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static void SkipSeparators(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or ',')
        {
            i++;
        }
    }

    private static string Token(string s, ref int i, bool allowEquals = false)
    {
        int start = i;
        while (i < s.Length && s[i] is not (' ' or '\t' or ',' or '"') && (allowEquals || s[i] != '='))
        {
            i++;
        }
        return s[start..i];
    }

    private static string Quoted(string s, ref int i)
    {
        var sb = new StringBuilder();
        for (i++; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                sb.Append(s[++i]);
            }
            else if (s[i] == '"')
            {
                i++;
                break;
            }
            else
            {
                sb.Append(s[i]);
            }
        }
        return sb.ToString();
    }
}

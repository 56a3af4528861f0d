using System.Globalization;

namespace Chartseal.IO;

/// <summary>A count and its noun for people to read: <c>1 chart version</c>, <c>2 chart versions</c>, <c>0 keys</c>.</summary>
public static class Plural
{
    /// <summary><paramref name="count"/>, a space, and <paramref name="singular"/> for one, else <paramref name="plural"/> (by default the singular and an s).</summary>
    /// <param name="count">How many.</param>
    /// <param name="singular">The noun for one, e.g. <c>chart version</c>.</param>
    /// <param name="plural">The noun for any other count, when it is not the singular and an s (e.g. <c>indexes</c>).</param>
    public static string Count(long count, string singular, string? plural = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(singular);
        return $"{count.ToString(CultureInfo.InvariantCulture)} {(count == 1 ? singular : plural ?? singular + "s")}";
    }
}

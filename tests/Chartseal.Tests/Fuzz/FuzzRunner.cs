using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Fuzz;

/// <summary>
/// Runs one fuzz target: a fixed number of mutated inputs from a seeded generator (the same inputs on every run),
/// each passed to the parser, which may only return or throw its documented exception. Anything else fails the test
/// with the input (base64, and saved to a file) so that it can be added to <c>tests/TestData/fuzz-corpus</c> as a
/// regression seed.
/// </summary>
/// <remarks>
/// <para>
/// Nothing here asserts on time: a shared machine makes timings noise. Memory is bounded by the bytes each input
/// allocates (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), which is the same for the same input on every run:
/// an input that makes a parser allocate more than <see cref="AllocationBudget"/> fails, and so catches amplification
/// (a small input expanded into a large structure, or work that grows faster than the input). A real hang is caught by
/// the test's timeout, whose cancellation saves the input being parsed.
/// </para>
/// <para>
/// <c>CHARTSEAL_FUZZ_SCALE=N</c> runs N times as many inputs, <c>CHARTSEAL_FUZZ_SEED=S</c> other ones: a longer
/// local campaign (within the tests' 10-minute timeout) is
/// <c>CHARTSEAL_FUZZ_SCALE=50 CHARTSEAL_FUZZ_SEED=$RANDOM dotnet test tests/Chartseal.Tests --filter Fuzz</c>.
/// </para>
/// </remarks>
internal static class FuzzRunner
{
    /// <summary>The tests' timeout (ms): only a hang reaches it.</summary>
    public const int Timeout = 600_000;

    public static int Scale { get; } = int.TryParse(Environment.GetEnvironmentVariable("CHARTSEAL_FUZZ_SCALE"), out int s) && s > 0 ? s : 1;

    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("CHARTSEAL_FUZZ_SEED"), out int s) ? s : 20261130;

    /// <summary>
    /// Most bytes one input may make a parser allocate: 64 MiB, plus 256 bytes per input byte. Far above what any
    /// seed needs (a few MiB; the summary prints the largest), far below what a quadratic or amplifying path would take.
    /// </summary>
    public static long AllocationBudget(int inputLength) => (64L << 20) + 256L * inputLength;

    /// <summary>The folder of the seeds: <c>tests/TestData/fuzz-corpus</c>.</summary>
    public static string CorpusRoot { get; } = Path.Combine(TestPaths.Vectors, "fuzz-corpus");

    /// <summary>The seeds of one target: every file of <c>tests/TestData/fuzz-corpus/KIND</c>, in name order.</summary>
    public static IReadOnlyList<byte[]> Corpus(string kind) =>
        [.. Directory.GetFiles(Path.Combine(CorpusRoot, kind)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];

    /// <summary>A generator seeded by the run's seed and the target's name (stable across processes).</summary>
    public static Random RandomFor(string target) =>
        new(Seed ^ BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(target))));

    /// <summary>
    /// Feeds <paramref name="iterations"/> × <see cref="Scale"/> inputs from <paramref name="next"/> to <paramref name="call"/>, which returns
    /// a short outcome name (or one per line, for a call that tries several parsers); <paramref name="documented"/> says which
    /// exceptions are allowed (their type names count as outcomes).
    /// </summary>
    public static void Run(string target, int iterations, Func<byte[]> next, Func<byte[], string> call, Func<Exception, bool> documented,
        CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();
        int count = iterations * Scale;
        byte[] current = [];
        int currentIndex = 0;
        long largestAllocation = 0;
        int largestAllocationInput = 0;
        // A hang is stopped by the test's timeout: save the input that was being parsed, for the report.
        using var onTimeout = cancellationToken.Register(() =>
            Console.Error.WriteLine(Report(target, currentIndex, current, "still running when the test timed out (a hang?)")));
        for (int i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            byte[] input = next();
            (current, currentIndex) = (input, i);
            long before = GC.GetAllocatedBytesForCurrentThread();
            string outcome;
            try
            {
                outcome = call(input);
            }
            catch (Exception e) when (documented(e))
            {
                outcome = Outcome(e);
            }
            catch (Exception e)
            {
                Assert.Fail(Report(target, i, input, $"{e.GetType().FullName}: {e.Message}\n{e}"));
                throw;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > AllocationBudget(input.Length))
            {
                Assert.Fail(Report(target, i, input, $"allocated {allocated:N0} bytes for a {input.Length:N0}-byte input (budget {AllocationBudget(input.Length):N0})"));
            }
            if (allocated > largestAllocation)
            {
                (largestAllocation, largestAllocationInput) = (allocated, input.Length);
            }
            foreach (string line in outcome.Split('\n'))
            {
                outcomes[line] = outcomes.GetValueOrDefault(line) + 1;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        var summary = new StringBuilder();
        summary.Append(CultureInfo.InvariantCulture,
            $"{target}: {count} inputs in {total.Elapsed.TotalSeconds:F1} s (seed {Seed}); most allocated for one input: {largestAllocation:N0} bytes ({largestAllocationInput:N0}-byte input); outcomes:");
        foreach (var (outcome, n) in outcomes.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).Take(30))
        {
            summary.Append(CultureInfo.InvariantCulture, $"\n  {n,6}  {outcome}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine(summary.ToString());
    }

    /// <summary>Calls <paramref name="parse"/>: its result, or the documented exception as an outcome; anything else propagates.</summary>
    public static string Try(string what, Func<string> parse)
    {
        try
        {
            return $"{what} {parse()}";
        }
        catch (ChartsealException e)
        {
            return $"{what} {Outcome(e)}";
        }
    }

    // The exception's type and the start of its reason, without the (varying) file and entry names and values.
    private static string Outcome(Exception e)
    {
        string reason = e switch
        {
            Chartseal.Charts.UnsafeArchiveException u => u.Detail,
            ChartsealException c => c.Reason,
            _ => e.Message,
        };
        int cut = reason.IndexOfAny(['"', '(', '\n', '{', '[']);
        reason = cut > 0 ? reason[..cut] : reason;
        return $"{e.GetType().Name}: {reason[..Math.Min(reason.Length, 70)].TrimEnd()}";
    }

    private static string Report(string target, int iteration, byte[] input, string problem)
    {
        string file = Path.Combine(Path.GetTempPath(), $"chartseal-fuzz-{target}-{Convert.ToHexStringLower(SHA256.HashData(input))[..12]}");
        File.WriteAllBytes(file, input);
        string inline = input.Length <= 4096 ? "\ninput (base64): " + Convert.ToBase64String(input) : "";
        return $"fuzz target {target}, input {iteration} (seed {Seed}, scale {Scale}): {problem}\ninput saved to {file}{inline}";
    }
}

namespace Chartseal.Tests.Support;

/// <summary>Locations of the repository and of its conformance vectors (tests/TestData, see its README).</summary>
public static class TestPaths
{
    /// <summary>The repository root (the folder holding Chartseal.slnx).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The conformance data copied from Helm and real repositories, shared by every test project.</summary>
    public static string Vectors { get; } = Path.Combine(RepoRoot, "tests", "TestData");

    /// <summary>Helm's provenance vectors.</summary>
    public static string HelmVectors { get; } = Path.Combine(Vectors, "helm-provenance");

    /// <summary>A file under the Helm provenance vectors.</summary>
    public static string Helm(string relative) => Path.Combine(HelmVectors, relative);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chartseal.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Chartseal.slnx not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates the folder.</summary>
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "chartseal-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

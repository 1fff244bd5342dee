using System.Globalization;
using Matching.Data.Storage;
using Microsoft.Extensions.Configuration;

namespace Matching.Cli;

/// <summary>
/// What a command gets: its arguments (<c>--name value</c> pairs and flags), the <c>Matching</c> configuration
/// (appsettings.json next to the program, <c>Matching__…</c> environment variables, <c>--Matching:…</c> arguments),
/// the clock and the output.
/// </summary>
public sealed class CliContext(IReadOnlyList<string> arguments, IConfiguration configuration, TimeProvider time, TextWriter output, TextWriter error)
{
    public IReadOnlyList<string> Arguments { get; } = arguments;
    public IConfiguration Configuration { get; } = configuration;
    public MatchingOptions Options { get; } = configuration.GetSection(MatchingOptions.Section).Get<MatchingOptions>() ?? new MatchingOptions();
    public TimeProvider Time { get; } = time;
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;


    /// <summary>The value after <c>--name</c>, or null.</summary>
    public string? Value(string name)
    {
        for (var i = 0; i < Arguments.Count - 1; i++)
        {
            if (Arguments[i] == "--" + name)
            {
                return Arguments[i + 1];
            }
        }
        return null;
    }

    public int Number(string name, int fallback)
    {
        var value = Value(name);
        if (value is null)
        {
            return fallback;
        }
        return int.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : throw new CliException($"--{name} 应为正整数");
    }

    public bool Flag(string name) => Arguments.Contains("--" + name);

    /// <summary>The index-th argument that is neither an option nor an option's value (e.g. the benchmark name).</summary>
    public string? Positional(int index)
    {
        var positional = new List<string>();
        for (var i = 0; i < Arguments.Count; i++)
        {
            var takesValue = i > 0 && Arguments[i - 1].StartsWith("--", StringComparison.Ordinal) && !Flags.Contains(Arguments[i - 1]);
            if (!Arguments[i].StartsWith("--", StringComparison.Ordinal) && !takesValue)
            {
                positional.Add(Arguments[i]);
            }
        }
        return positional.ElementAtOrDefault(index);
    }

    /// <summary>Options that take no value.</summary>
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--keep", "--misses", "--typeahead-only" };
}

/// <summary>A user mistake on the command line: printed without a stack trace, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);

public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, Func<CliContext, Task<int>>> commands)
    {
        if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
        {
            await Console.Error.WriteLineAsync($"用法 (usage): Matching.Cli <{string.Join("|", commands.Keys)}> [options]");
            return 2;
        }
        var rest = args[1..];
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(rest.Where((a, i) => a.StartsWith("--Matching:", StringComparison.Ordinal) || (i > 0 && rest[i - 1].StartsWith("--Matching:", StringComparison.Ordinal))).ToArray())
            .Build();
        try
        {
            return await command(new CliContext(rest, configuration, TimeProvider.System, Console.Out, Console.Error));
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync("错误: " + e.Message);
            return 2;
        }
    }
}

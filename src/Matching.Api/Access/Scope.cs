using Matching.Domain.Access;

namespace Matching.Api.Access;

/// <summary>Object-level rules for rows that belong to an employer (bases, openings, cohorts).</summary>
public static class Scope
{
    /// <summary>The employer filter of a list: an enterprise is confined to its own, whatever it asked for.</summary>
    public static long? Employer(Caller caller, long? requested) => caller.LinkedEmployer switch
    {
        null => requested,
        { } own when requested is null || requested == own => own,
        // Asked for another employer's rows: an impossible id, so the list is empty rather than leaking.
        _ => -1,
    };

    /// <summary>
    /// The county filter of a worker or placement list: an office's counties, narrowed to the requested county (a
    /// county outside the scope yields an empty list, not an error that would confirm it exists); other roles get
    /// the requested county as asked.
    /// </summary>
    public static List<string>? Counties(Caller caller, string? requested) => caller.WorkerCounties is { } scope
        ? (requested is null ? [.. scope] : scope.Where(c => c == requested).DefaultIfEmpty("").ToList())
        : requested is null ? null : [requested];

    /// <summary>A reader that returns the row only when the caller may see it (others read as "not found").</summary>
    public static Func<long, CancellationToken, Task<T?>> Visible<T>(Caller caller, Func<long, CancellationToken, Task<T?>> read, Func<T, long> employerOf)
        where T : class =>
        async (id, cancellationToken) => await read(id, cancellationToken) is { } row && caller.CanSeeEmployerData(employerOf(row)) ? row : null;

    /// <summary>The row when the caller owns it; null (answered as 404) otherwise.</summary>
    public static async Task<T?> Writable<T>(Caller caller, long id, Func<long, CancellationToken, Task<T?>> read, Func<T, long> employerOf, CancellationToken cancellationToken)
        where T : class =>
        await read(id, cancellationToken) is { } row && caller.CanWriteEmployerData(employerOf(row)) ? row : null;
}

using Matching.Domain.Validation;

namespace Matching.Api.Infrastructure;

/// <summary>Page and page size of a list; a page larger than <see cref="MaxPageSize"/> is refused, not truncated.</summary>
public readonly record struct Paging(int? Page, int? PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 200;

    public int PageNumber => Page ?? 1;

    public int Size => PageSize ?? DefaultPageSize;

    public void Validate(ValidationErrors errors)
    {
        if (Page is < 1 or > 1_000_000)
        {
            errors.Add("page", "页码应在1至1000000之间");
        }
        if (PageSize is < 1 or > MaxPageSize)
        {
            errors.Add("pageSize", $"每页条数应在1至{MaxPageSize}之间");
        }
    }
}

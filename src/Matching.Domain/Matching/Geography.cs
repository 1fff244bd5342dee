namespace Matching.Domain.Matching;

/// <summary>
/// Approximate seats (latitude, longitude) of Guizhou's prefectures and of the partner provinces' prefecture cities,
/// for the travel distance a worker faces from home to a training base. Straight-line kilometres, rounded: the
/// ranking only needs "near" versus "far", not a route.
/// </summary>
public static class Geography
{
    private static readonly Dictionary<string, (double Lat, double Lon)> Seats = new(StringComparer.Ordinal)
    {
        // 贵州
        ["520100"] = (26.65, 106.63), ["520200"] = (26.59, 104.83), ["520300"] = (27.72, 106.93),
        ["520400"] = (26.25, 105.93), ["520500"] = (27.30, 105.29), ["520600"] = (27.72, 109.19),
        ["522300"] = (25.09, 104.90), ["522600"] = (26.58, 107.98), ["522700"] = (26.26, 107.52),
        // 广东
        ["440000"] = (23.13, 113.26), ["440100"] = (23.13, 113.26), ["440200"] = (24.81, 113.60), ["440300"] = (22.54, 114.06),
        ["440400"] = (22.27, 113.58), ["440500"] = (23.35, 116.68), ["440600"] = (23.02, 113.12), ["440700"] = (22.58, 113.08),
        ["440800"] = (21.27, 110.36), ["440900"] = (21.66, 110.93), ["441200"] = (23.05, 112.47), ["441300"] = (23.11, 114.42),
        ["441400"] = (24.29, 116.12), ["441500"] = (22.79, 115.37), ["441600"] = (23.74, 114.70), ["441700"] = (21.86, 111.98),
        ["441800"] = (23.68, 113.06), ["441900"] = (23.02, 113.75), ["442000"] = (22.52, 113.39), ["445100"] = (23.66, 116.62),
        ["445200"] = (23.55, 116.37), ["445300"] = (22.92, 112.04),
        // 浙江
        ["330000"] = (30.27, 120.16), ["330100"] = (30.27, 120.16), ["330200"] = (29.87, 121.55), ["330300"] = (28.00, 120.70),
        ["330400"] = (30.75, 120.76), ["330500"] = (30.89, 120.09), ["330600"] = (30.00, 120.58), ["330700"] = (29.08, 119.65),
        ["330800"] = (28.94, 118.87), ["330900"] = (30.02, 122.21), ["331000"] = (28.66, 121.42), ["331100"] = (28.45, 119.92),
        // 福建
        ["350000"] = (26.07, 119.30), ["350100"] = (26.07, 119.30), ["350200"] = (24.48, 118.09), ["350300"] = (25.45, 119.01),
        ["350400"] = (26.26, 117.64), ["350500"] = (24.87, 118.68), ["350600"] = (24.51, 117.65), ["350700"] = (26.64, 118.18),
        ["350800"] = (25.08, 117.02), ["350900"] = (26.66, 119.55),
        // 江苏
        ["320000"] = (32.06, 118.80), ["320100"] = (32.06, 118.80), ["320200"] = (31.49, 120.31), ["320300"] = (34.21, 117.28),
        ["320400"] = (31.81, 119.97), ["320500"] = (31.30, 120.58), ["320600"] = (31.98, 120.89), ["320700"] = (34.60, 119.22),
        ["320800"] = (33.61, 119.02), ["320900"] = (33.35, 120.16), ["321000"] = (32.39, 119.41), ["321100"] = (32.19, 119.45),
        ["321200"] = (32.46, 119.92), ["321300"] = (33.96, 118.28),
    };

    /// <summary>Straight-line kilometres between two prefectures (or provinces, by their capitals); 1,200 when either is unknown.</summary>
    public static double Kilometres(string fromCode, string toCode)
    {
        if (!Seats.TryGetValue(fromCode, out var a) || !Seats.TryGetValue(toCode, out var b))
        {
            return UnknownKilometres;
        }
        const double EarthRadiusKm = 6371;
        var dLat = ToRadians(b.Lat - a.Lat);
        var dLon = ToRadians(b.Lon - a.Lon);
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
            + Math.Cos(ToRadians(a.Lat)) * Math.Cos(ToRadians(b.Lat)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return Math.Round(2 * EarthRadiusKm * Math.Asin(Math.Sqrt(h)));
    }

    public const double UnknownKilometres = 1200;

    private static double ToRadians(double degrees) => degrees * Math.PI / 180;
}

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PetSitter.Email.Telemetry;

/// <summary>
/// Reports the businesses' SMTP accounts as one health check: healthy while none is failing, the registered
/// failure status (Degraded by default) when some are. Mail for a failing account still goes out through the
/// fallback, so the library itself is never reported unhealthy by default.
/// </summary>
/// <remarks>The data holds counts only (by state and by failure kind): no business id, address, reply or secret.</remarks>
internal sealed class AccountHealthCheck : IHealthCheck
{
    private readonly IAccountHealthMonitor _monitor;

    public AccountHealthCheck(IAccountHealthMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _monitor = monitor;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failing = 0;
        var throttled = 0;
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var account in _monitor.GetUnhealthy())
        {
            switch (account.State)
            {
                case AccountHealthState.Failing:
                    failing++;
                    break;
                case AccountHealthState.Throttled:
                    throttled++;
                    break;
                default:
                    continue;
            }

            if (account.Kind is { } kind)
            {
                var key = $"{Prefix(account.State)}.{TelemetryTags.Of(kind)}";
                data[key] = data.TryGetValue(key, out var count) ? (int)count + 1 : 1;
            }
        }

        data["failing"] = failing;
        data["throttled"] = throttled;
        if (failing == 0)
        {
            var healthy = throttled == 0
                ? "No SMTP account is failing or throttled."
                : $"No SMTP account is failing; {throttled} wait(s) for a send limit to reset.";
            return Task.FromResult(HealthCheckResult.Healthy(healthy, data));
        }

        var description = $"{failing} SMTP account(s) failing and {throttled} throttled: their mail follows the fallback policy until the owners fix them.";
        return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, description, exception: null, data));
    }

    private static string Prefix(AccountHealthState state) => state == AccountHealthState.Failing ? "failing" : "throttled";
}

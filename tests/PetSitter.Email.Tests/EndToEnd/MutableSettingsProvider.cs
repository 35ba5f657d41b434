using System.Collections.Concurrent;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>The app's settings store as the library sees it: read on every send, changed by the owner at any time.</summary>
internal sealed class MutableSettingsProvider : IBusinessEmailSettingsProvider
{
    private readonly ConcurrentDictionary<string, BusinessEmailSettings> _settings = new(StringComparer.Ordinal);

    public void Set(BusinessEmailSettings settings) => _settings[settings.BusinessId] = settings;

    public BusinessEmailSettings Get(string businessId) => _settings[businessId];

    public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_settings.GetValueOrDefault(businessId));
}

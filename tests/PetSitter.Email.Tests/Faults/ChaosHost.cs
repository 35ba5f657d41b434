using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Faults;

/// <summary>Puts a <see cref="ChaosSmtpTransport"/> around the library's own transport in an <see cref="EndToEndHost"/>.</summary>
internal static class ChaosHost
{
    public static EndToEndHost Create(
        Func<TimeProvider, ISmtpTransport, ChaosSmtpTransport> wrap,
        out Func<ChaosSmtpTransport> transport,
        Action<IPetSitterEmailBuilder>? configure = null)
    {
        ChaosSmtpTransport? created = null;
        var host = new EndToEndHost(builder =>
        {
            builder.Services.Replace(ServiceDescriptor.Singleton<ISmtpTransport>(services =>
                created = wrap(services.GetRequiredService<TimeProvider>(), ActivatorUtilities.CreateInstance<MailKitSmtpTransport>(services))));
            configure?.Invoke(builder);
        });

        // Resolving the sender builds the transport.
        _ = host.Sender;
        transport = () => created ?? throw new InvalidOperationException("The chaos transport was not built.");
        return host;
    }
}

using System.Management.Automation;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq;

namespace FullDbResult.PowerShell;

/// <summary>
/// The base of cmdlets that send tasks: the store of <see cref="StoreCmdlet"/> and a broker, named by
/// -BrokerUrl, else by the session (-Session or Connect-FullDbResult -BrokerUrl), else by
/// FULLDBRESULT_BROKER_URL, else the local default. The connection opens on first send and closes with the command.
/// </summary>
public abstract class BrokerCmdlet : StoreCmdlet, IDisposable
{
    private RabbitMqConnection? _connection;
    private RabbitMqTaskPublisher? _publisher;
    private TaskClient? _client;

    /// <summary>The RabbitMQ URL, e.g. amqp://user:password@host:5672/vhost; wins over the session and the environment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BrokerUrl { get; set; }

    /// <summary>The publisher over the broker, opened on first use.</summary>
    protected ITaskPublisher Publisher => _publisher ??= OpenPublisher();

    /// <summary>Sends and retries tasks through the store and the broker.</summary>
    protected TaskClient Client => _client ??= new TaskClient(Store, Publisher, ClientOptions);

    /// <summary>How <see cref="Client"/> sends; the library's defaults unless a cmdlet says otherwise.</summary>
    protected virtual TaskClientOptions? ClientOptions => null;

    /// <summary>
    /// Reports a publish the broker did not confirm. An unreachable broker ends the command: every next task
    /// would fail the same way after a timeout, and each would leave one more unsent PENDING row. Any other
    /// failure (an unroutable message) belongs to this task, and the pipeline goes on.
    /// </summary>
    protected void WritePublishError(TaskPublishException exception, object target)
    {
        if (exception.InnerException is RabbitMqUnavailableException)
            ThrowTerminatingError(new ErrorRecord(exception, "BrokerUnreachable", ErrorCategory.ConnectionError, _connection?.RedactedUrl));
        WriteError(new ErrorRecord(exception, "TaskNotPublished", ErrorCategory.ConnectionError, target));
    }

    private RabbitMqTaskPublisher OpenPublisher()
    {
        var session = Session ?? CurrentSession.Get();
        try
        {
            _connection = new RabbitMqConnection(RabbitMqConnection.ResolveUrl(BrokerUrl ?? session?.BrokerUrlWithSecret), "FullDbResult PowerShell");
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(new ErrorRecord(exception, "InvalidBrokerUrl", ErrorCategory.InvalidArgument, null));
            throw; // not reached: ThrowTerminatingError throws
        }
        WriteVerbose($"Broker {_connection.RedactedUrl}.");
        return new RabbitMqTaskPublisher(_connection);
    }

    public void Dispose()
    {
        _publisher?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _connection?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
